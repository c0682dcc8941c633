// Internal entry for tests: the pure state and the shells around it. Not public API.
export * from './index.js';
export * from './app-state.js';
export { ManagedApp, type ManagedAppDeps } from './managed-app.js';
export { StateStore, type LcaStateStore, type PersistedState, emptyState } from './state-store.js';
export { LogFiles } from './log-files.js';
export { ScsSession } from './scs-session.js';
export { findProcessesByToken, processStartTime } from './launcher.js';
