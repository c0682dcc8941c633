// The simulated solution's configuration: two hosts, a generic pair, a Config Server pair (its
// members crossed over the hosts, so that losing one host hits both pairs differently) and a
// standalone application, with every timeout the invariant bounds are derived from.

import type { AppSpec } from '@mlayer/common';
import type { ApplicationSpec, PairSpec, Solution } from '@mlayer/scs/internal';

/** Every timeout of the simulated solution, in ms (the invariant bounds are derived from these). */
export const TIMING = {
  /** SCS <-> LCA ADDP timeout (both ways). */
  scsAddpMs: 3000,
  /** Application <-> LCA ADDP timeout. */
  appAddpMs: 2000,
  disconnectSwitchoverMs: 1000,
  switchoverTimeoutMs: 2000,
  startWindowMs: 3000,
  startTimeoutMs: 5000,
  stopTimeoutMs: 2000,
  restartInitialMs: 500,
  restartMaxMs: 5000,
  flapping: { maxSwitchovers: 3, windowMs: 60_000 },
} as const;

export const SCS_MACHINE = 'scs-host';
export const HOSTS = ['host-a', 'host-b'] as const;
export type HostName = (typeof HOSTS)[number];
export const LCA_ADDRESS: Readonly<Record<HostName, { host: string; port: number }>> = {
  'host-a': { host: '10.0.0.1', port: 4999 },
  'host-b': { host: '10.0.0.2', port: 4999 },
};
export const SECRET = 'chaos-harness-shared-secret-0123456789';
export const JOURNAL_DIR = '/chaos/scs-a/journal';

export interface AppDef {
  readonly name: string;
  readonly host: HostName;
  readonly kind: 'generic' | 'config-server';
  readonly pair: string | null;
}

export const APPS: readonly AppDef[] = [
  { name: 'web-a', host: 'host-a', kind: 'generic', pair: 'web-a' },
  { name: 'web-b', host: 'host-b', kind: 'generic', pair: 'web-a' },
  { name: 'cfg-a', host: 'host-b', kind: 'config-server', pair: 'cfg-a' },
  { name: 'cfg-b', host: 'host-a', kind: 'config-server', pair: 'cfg-a' },
  { name: 'solo', host: 'host-a', kind: 'generic', pair: null },
];

function appSpec(name: string): AppSpec {
  return {
    name, command: 'sim-app', args: [], env: {},
    addpTimeoutMs: TIMING.appAddpMs, startTimeoutMs: TIMING.startTimeoutMs, stopTimeoutMs: TIMING.stopTimeoutMs,
  };
}

export function chaosSolution(): Solution {
  const members = [
    { primary: 'web-a', backup: 'web-b', kind: 'generic', redundancy: 'warm-standby' },
    { primary: 'cfg-a', backup: 'cfg-b', kind: 'config-server', redundancy: 'hot-standby' },
  ] as const;
  const pairs: PairSpec[] = members.map((p) => ({
    ...p,
    name: p.primary,
    requireSync: false,
    flapping: TIMING.flapping,
    switchoverTimeoutMs: TIMING.switchoverTimeoutMs,
    startWindowMs: TIMING.startWindowMs,
  }) satisfies PairSpec);
  const applications: ApplicationSpec[] = APPS.map((a) => ({
    spec: appSpec(a.name),
    host: a.host,
    kind: a.kind,
    redundancy: a.pair === null ? 'none' : a.kind === 'config-server' ? 'hot-standby' : 'warm-standby',
    autostart: true,
    autoRestart: true,
    restart: { initialMs: TIMING.restartInitialMs, maxMs: TIMING.restartMaxMs },
    pair: a.pair,
  }));
  return {
    scs: {
      id: 'scs-a',
      http: { host: '127.0.0.1', port: 0 },
      journalDir: JOURNAL_DIR,
      lcaSecret: SECRET,
      addp: { timeoutMs: TIMING.scsAddpMs, remoteTimeoutMs: TIMING.scsAddpMs, trace: 'off' },
      disconnectSwitchoverTimeoutMs: TIMING.disconnectSwitchoverMs,
      startWindowMs: TIMING.startWindowMs,
    },
    hosts: HOSTS.map((name) => ({ name, lca: LCA_ADDRESS[name] })),
    applications,
    pairs,
  };
}
