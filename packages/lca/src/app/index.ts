// @mlayer/lca/app: the SDK an application uses to register with the LCA that launched it.
export { connectToLca, LcaClient, type LcaClientOptions, type LcaClientEvents, type Facts } from './client.js';
export type { Role, ReportableStatus } from '@mlayer/common';
