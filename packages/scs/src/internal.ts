// Internal entry for tests and benchmarks: every module, not just the public API.
// Each module adds one line here.
export * from './index.js';
