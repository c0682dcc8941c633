// From the loaded configuration file to the Solution an SCS runs. Secrets are passed in: reading
// files is the command line's job.

import type { LoadedConfig } from '@mlayer/common/config';
import type { Solution } from './solution.js';

export interface Secrets {
  readonly apiToken?: string;
  readonly lcaSecret?: string;
}

export function solutionFromConfig(config: LoadedConfig, secrets: Secrets = {}, overrides: { id?: string } = {}): Solution {
  const { scs } = config;
  return {
    scs: {
      id: overrides.id ?? scs.id,
      http: scs.http,
      journalDir: scs.journal,
      ...(secrets.apiToken === undefined ? {} : { apiToken: secrets.apiToken }),
      ...(secrets.lcaSecret === undefined ? {} : { lcaSecret: secrets.lcaSecret }),
      addp: scs.addp,
      disconnectSwitchoverTimeoutMs: scs.disconnectSwitchoverTimeoutMs,
      startWindowMs: scs.startWindowMs,
      ...(scs.peer !== null && scs.listenPeer !== null && scs.host !== null
        ? {
            pair: {
              peer: scs.peer,
              listen: scs.listenPeer,
              host: scs.host,
              preferred: scs.preferredPrimary,
              negotiateWindowMs: Math.max(3000, 2 * scs.addp.timeoutMs + 1000),
              takeoverDelayMs: 0,
            },
          }
        : {}),
    },
    hosts: config.hosts.map((h) => ({ name: h.name, lca: h.lca })),
    applications: config.applications.map((a) => ({
      spec: a.spec,
      host: a.host,
      kind: a.kind,
      redundancy: a.redundancy,
      autostart: a.autostart,
      autoRestart: a.autoRestart,
      restart: { initialMs: a.restart.initialDelayMs, maxMs: a.restart.maxDelayMs },
      pair: a.pair,
    })),
    pairs: config.pairs.map((p) => ({
      name: p.name,
      primary: p.primary,
      backup: p.backup,
      kind: p.kind,
      redundancy: p.redundancy,
      requireSync: p.requireSync,
      flapping: p.flapping,
      switchoverTimeoutMs: p.switchoverTimeoutMs,
      startWindowMs: scs.startWindowMs,
    })),
  };
}
