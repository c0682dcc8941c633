// Internal entry for tests and benchmarks: every module, not just the public API.
// Each module adds one line here.
export * from './index.js';
export * from './http/index.js';
export * from './metrics.js';
export * from './guards.js';
export * from './pair-machine.js';
export * from './journal/index.js';
export * from './lca-link.js';
export * from './solution.js';
export * from './application.js';
export * from './pair.js';
export * from './restarts.js';
export * from './host.js';
export * from './reconcile.js';
export * from './server.js';
export * from './operations.js';
export * from './epoch-fence.js';
export * from './from-config.js';
export * from './peer/protocol.js';
export * from './peer/role-machine.js';
export * from './peer/peer-link.js';
export * from './peer/coordinator.js';
export * from './peer/epoch-store.js';
export * from './reload-plan.js';
export * from './journal-feed.js';
