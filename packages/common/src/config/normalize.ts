// The loaded configuration: the file's values with defaults applied, durations in whole
// milliseconds, paths resolved against the file's directory, and what the SCS derives from them
// (pairs, the host of each application, the AppSpec each LCA receives).

import { dirname, resolve } from 'node:path';
import { type HostPort, parseHostPort } from '../address.js';
import type { AppKind, RedundancyType, Role } from '../domain.js';
import type { AppSpec } from '../protocol/lca.js';
import type { AddpTraceMode, ApplicationEntry, ConfigFile } from './schema.js';

export interface ScsConfig {
  readonly id: string;
  readonly http: HostPort;
  /** Absolute directory of the journal and the role state. */
  readonly journal: string;
  readonly tokenFile: string | null;
  readonly lcaSecretFile: string | null;
  /** Shaped like @mlayer/addp's AddpSettings. */
  readonly addp: { readonly timeoutMs: number; readonly remoteTimeoutMs: number; readonly trace: AddpTraceMode };
  readonly disconnectSwitchoverTimeoutMs: number;
  readonly startWindowMs: number;
  readonly peer: { readonly id: string; readonly host: string; readonly address: HostPort } | null;
  readonly listenPeer: HostPort | null;
  readonly host: string | null;
  /** `scs.primary`, or, when it is not set, whether this SCS has the lower id of the pair. */
  readonly preferredPrimary: boolean;
}

export interface HostConfig {
  readonly name: string;
  /** The LCA address, with the rule "a port <= 1999 means 4999" applied. */
  readonly lca: HostPort;
}

export interface ApplicationConfig {
  readonly name: string;
  readonly host: string;
  /** What the SCS sends the LCA to launch it: command resolved, durations in ms. */
  readonly spec: AppSpec;
  readonly autostart: boolean;
  readonly autoRestart: boolean;
  readonly restart: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly kind: AppKind;
  /** The redundancy of its pair (the same for both members), `none` outside a pair. */
  readonly redundancy: RedundancyType;
  /** The pair name (its primary's name), or null. */
  readonly pair: string | null;
  /** Its place in the pair as configured: `primary`, `backup`, or `none` outside a pair. */
  readonly configuredRole: Role;
}

export interface PairConfig {
  /** The primary's name. */
  readonly name: string;
  readonly primary: string;
  readonly backup: string;
  readonly redundancy: Exclude<RedundancyType, 'none'>;
  readonly kind: AppKind;
  readonly requireSync: boolean;
  /** windowMs 0: no limit. */
  readonly flapping: { readonly maxSwitchovers: number; readonly windowMs: number };
  readonly switchoverTimeoutMs: number;
}

export interface LoadedConfig {
  /** Absolute path of the file. */
  readonly file: string;
  readonly scs: ScsConfig;
  readonly hosts: readonly HostConfig[];
  /** In file order. */
  readonly applications: readonly ApplicationConfig[];
  readonly pairs: readonly PairConfig[];
  /** Application name -> host name. */
  readonly appHost: ReadonlyMap<string, string>;
  /** Application name -> the AppSpec its LCA receives. */
  readonly appSpecs: ReadonlyMap<string, AppSpec>;
}

function ms(seconds: number): number {
  return Math.round(seconds * 1000);
}

function toPair(app: ApplicationEntry & { backup: string }): PairConfig {
  return {
    name: app.name,
    primary: app.name,
    backup: app.backup,
    // checks.ts refuses a backup with redundancy none
    redundancy: app.redundancy === 'none' ? 'warm-standby' : app.redundancy,
    kind: app.kind,
    requireSync: app.requireSync,
    flapping: { maxSwitchovers: app.flapping.maxSwitchovers, windowMs: ms(app.flapping.window) },
    switchoverTimeoutMs: ms(app.switchoverTimeout),
  };
}

/** Builds the loaded form of a file that passed the schema and checks.ts. */
export function normalizeConfig(input: ConfigFile, file: string): LoadedConfig {
  const absolute = resolve(file);
  const dir = dirname(absolute);
  const path = (p: string) => resolve(dir, p);
  const { scs } = input;
  const peer = scs.peer === undefined ? null : { id: scs.peer.id, host: scs.peer.host, address: parseHostPort(scs.peer.address) };

  const pairs = input.applications.flatMap((app) => (app.backup === undefined ? [] : [toPair({ ...app, backup: app.backup })]));
  const pairOf = new Map<string, PairConfig>();
  for (const pair of pairs) {
    pairOf.set(pair.primary, pair);
    pairOf.set(pair.backup, pair);
  }

  const applications = input.applications.map((app): ApplicationConfig => {
    const pair = pairOf.get(app.name);
    const command = app.command.includes('/') ? path(app.command) : app.command; // else a PATH lookup on the LCA host
    return {
      name: app.name,
      host: app.host,
      spec: {
        name: app.name,
        command,
        args: app.args.map(String),
        cwd: path(app.cwd),
        env: Object.fromEntries(Object.entries(app.env).map(([key, value]) => [key, String(value)])),
        addpTimeoutMs: ms(app.addp.timeout),
        startTimeoutMs: ms(app.startTimeout),
        stopTimeoutMs: ms(app.stopTimeout),
      },
      autostart: app.autostart,
      autoRestart: app.autoRestart,
      restart: { initialDelayMs: ms(app.restart.initialDelay), maxDelayMs: ms(app.restart.maxDelay) },
      kind: app.kind,
      redundancy: pair?.redundancy ?? 'none',
      pair: pair?.name ?? null,
      configuredRole: pair === undefined ? 'none' : pair.primary === app.name ? 'primary' : 'backup',
    };
  });

  return {
    file: absolute,
    scs: {
      id: scs.id,
      http: parseHostPort(scs.http),
      journal: path(scs.journal ?? `./var/${scs.id}`),
      tokenFile: scs.tokenFile === undefined ? null : path(scs.tokenFile),
      lcaSecretFile: scs.lcaSecretFile === undefined ? null : path(scs.lcaSecretFile),
      addp: { timeoutMs: ms(scs.addp.timeout), remoteTimeoutMs: ms(scs.addp.remoteTimeout), trace: scs.addp.trace },
      disconnectSwitchoverTimeoutMs: ms(scs.disconnectSwitchoverTimeout),
      startWindowMs: ms(scs.startWindow),
      peer,
      listenPeer: scs.listenPeer === undefined ? null : parseHostPort(scs.listenPeer),
      host: scs.host ?? null,
      preferredPrimary: scs.primary ?? (peer === null || scs.id < peer.id),
    },
    hosts: input.hosts.map((host) => ({ name: host.name, lca: parseHostPort(host.lca, 'address', { lcaPort: true }) })),
    applications,
    pairs,
    appHost: new Map(applications.map((app) => [app.name, app.host])),
    appSpecs: new Map(applications.map((app) => [app.name, app.spec])),
  };
}
