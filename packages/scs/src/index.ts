// @mlayer/scs: the Solution Control Server.
export type { ScsEventBody, ScsEventType, JournalEvent } from './events.js';
export type { ApplicationView, HostView, PairView, ScsView, StatusView, CommandResult, ScsService, ScsRole } from './views.js';
