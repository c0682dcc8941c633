// @mlayer/scs: the Solution Control Server.
export type { ScsEventBody, ScsEventType, JournalEvent } from './events.js';
export type { ApplicationView, HostView, PairView, ScsView, StatusView, CommandResult, ScsService, ScsRole } from './views.js';
export type { Solution, ScsSettings, HostSpec, ApplicationSpec, PairSpec } from './solution.js';
export { SolutionControlServer, type ScsOptions } from './server.js';
export { solutionFromConfig, type Secrets } from './from-config.js';
