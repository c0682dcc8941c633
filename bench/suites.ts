// Every benchmark suite, by name, loaded only when run (a suite may need packages another does
// not). A new suite is one line here: its module exports `suite: Suite`.

import type { Suite } from './lib/measurement.js';

export const SUITES: Readonly<Record<string, () => Promise<Suite>>> = {
  addp: async () => (await import('./addp.js')).suite,
  lca: async () => (await import('./lca.js')).suite,
  failover: async () => (await import('./failover.js')).suite,
  'scs-takeover': async () => (await import('./scs-takeover.js')).suite,
  'host-loss-scale': async () => (await import('./host-loss-scale.js')).suite,
  'scs-scale': async () => (await import('./scs-scale.js')).suite,
  'hang-vs-timeout': async () => (await import('./hang-vs-timeout.js')).suite,
  'false-failovers': async () => (await import('./false-failovers.js')).suite,
  sentinel: async () => (await import('./sentinel.js')).suite,
};
