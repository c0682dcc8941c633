// Wire protocols shared by the LCA, the SCS and applications.
export * from './auth.js';
export * from './lca.js';
export * from './app.js';
