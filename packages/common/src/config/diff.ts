// What a reload changes (SIGHUP): applications, hosts and pairs added, removed or changed, and
// the SCS settings that take effect only after a restart of the SCS.

import { formatHostPort } from '../address.js';
import type { ApplicationConfig, HostConfig, LoadedConfig, PairConfig, ScsConfig } from './normalize.js';

export interface Changed<Field extends string> {
  readonly name: string;
  /** File keys whose value differs, e.g. `args`, `addp.timeout`. */
  readonly fields: readonly Field[];
}

export interface SectionChanges<Field extends string> {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly Changed<Field>[];
}

export type PairField = 'backup' | 'redundancy' | 'kind' | 'requireSync' | 'flapping' | 'switchoverTimeout';
/** `pair`: the pair it belongs to, or its place in it, changed. A pair's settings count for both members. */
type OwnField =
  | 'host' | 'command' | 'args' | 'cwd' | 'env' | 'addp.timeout' | 'startTimeout' | 'stopTimeout'
  | 'autostart' | 'autoRestart' | 'restart' | 'kind' | 'redundancy' | 'pair';
export type ApplicationField = OwnField | PairField;
export type HostField = 'lca';

export interface ScsChange {
  /** The key under `scs`, e.g. `http`. */
  readonly key: string;
  /** True when the running SCS keeps the old value until it restarts. */
  readonly restartRequired: boolean;
}

export interface ConfigChanges {
  readonly hosts: SectionChanges<HostField>;
  /** An application changes when its AppSpec, its host, its restart policy or its pair settings change. */
  readonly applications: SectionChanges<ApplicationField>;
  readonly pairs: SectionChanges<PairField>;
  readonly scs: readonly ScsChange[];
  readonly empty: boolean;
  /** One line per change, e.g. `application stat-c added`. */
  describe(): string[];
}

/** SCS settings a running SCS can apply on reload; every other change waits for a restart. */
const LIVE_SCS_KEYS: ReadonlySet<string> = new Set(['disconnectSwitchoverTimeoutMs', 'startWindowMs']);

/** Structural equality of loaded values (plain data: objects, arrays, primitives). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function section<T extends { readonly name: string }, Field extends string>(
  before: readonly T[],
  after: readonly T[],
  fields: Readonly<Record<Field, (item: T) => unknown>>,
): SectionChanges<Field> {
  const old = new Map(before.map((item) => [item.name, item]));
  const next = new Map(after.map((item) => [item.name, item]));
  const changed: Changed<Field>[] = [];
  for (const [name, item] of next) {
    const previous = old.get(name);
    if (previous === undefined) continue;
    const differing = (Object.keys(fields) as Field[]).filter((field) => !same(fields[field](previous), fields[field](item)));
    if (differing.length > 0) changed.push({ name, fields: differing });
  }
  return {
    added: [...next.keys()].filter((name) => !old.has(name)),
    removed: [...old.keys()].filter((name) => !next.has(name)),
    changed,
  };
}

const APPLICATION_FIELDS: Readonly<Record<OwnField, (app: ApplicationConfig) => unknown>> = {
  host: (app) => app.host,
  command: (app) => app.spec.command,
  args: (app) => app.spec.args,
  cwd: (app) => app.spec.cwd,
  env: (app) => app.spec.env,
  'addp.timeout': (app) => app.spec.addpTimeoutMs,
  startTimeout: (app) => app.spec.startTimeoutMs,
  stopTimeout: (app) => app.spec.stopTimeoutMs,
  autostart: (app) => app.autostart,
  autoRestart: (app) => app.autoRestart,
  restart: (app) => app.restart,
  kind: (app) => app.kind,
  redundancy: (app) => app.redundancy,
  pair: (app) => [app.pair, app.configuredRole],
};

const PAIR_FIELDS: Readonly<Record<PairField, (pair: PairConfig) => unknown>> = {
  backup: (pair) => pair.backup,
  redundancy: (pair) => pair.redundancy,
  kind: (pair) => pair.kind,
  requireSync: (pair) => pair.requireSync,
  flapping: (pair) => pair.flapping,
  switchoverTimeout: (pair) => pair.switchoverTimeoutMs,
};

const HOST_FIELDS: Readonly<Record<HostField, (host: HostConfig) => unknown>> = {
  lca: (host) => formatHostPort(host.lca),
};

/** `disconnectSwitchoverTimeoutMs` -> `disconnectSwitchoverTimeout`: changes are named as in the file. */
function fileKey(key: string): string {
  return key.endsWith('Ms') ? key.slice(0, -2) : key;
}

function scsChanges(before: ScsConfig, after: ScsConfig): ScsChange[] {
  return (Object.keys(after) as (keyof ScsConfig)[])
    .filter((key) => !same(before[key], after[key]))
    .map((key) => ({ key: key === 'preferredPrimary' ? 'primary' : fileKey(key), restartRequired: !LIVE_SCS_KEYS.has(key) }));
}

/** Application changes, with the pair settings a member shares counted as changes of both members. */
function applicationChanges(old: LoadedConfig, next: LoadedConfig, pairs: SectionChanges<PairField>): SectionChanges<ApplicationField> {
  const apps = section<ApplicationConfig, OwnField>(old.applications, next.applications, APPLICATION_FIELDS);
  const changed = new Map<string, ApplicationField[]>(apps.changed.map((c) => [c.name, [...c.fields]]));
  const nextPairs = new Map(next.pairs.map((pair) => [pair.name, pair]));
  for (const { name, fields } of pairs.changed) {
    const pair = nextPairs.get(name);
    for (const member of pair === undefined ? [] : [pair.primary, pair.backup]) {
      if (apps.added.includes(member)) continue;
      const own = changed.get(member) ?? [];
      for (const field of fields) if (!own.includes(field)) own.push(field);
      changed.set(member, own);
    }
  }
  const order = next.applications.map((app) => app.name);
  return {
    added: apps.added,
    removed: apps.removed,
    changed: [...changed].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([name, fields]) => ({ name, fields })),
  };
}

function describeSection(kind: string, changes: SectionChanges<string>, detail: (name: string, field: string) => string = (_, f) => f): string[] {
  return [
    ...changes.added.map((name) => `${kind} ${name} added`),
    ...changes.removed.map((name) => `${kind} ${name} removed`),
    ...changes.changed.map(({ name, fields }) => `${kind} ${name} changed: ${fields.map((field) => detail(name, field)).join(', ')}`),
  ];
}

/** What changes from `old` to `next`, for a reload. */
export function diffConfigs(old: LoadedConfig, next: LoadedConfig): ConfigChanges {
  const hosts = section<HostConfig, HostField>(old.hosts, next.hosts, HOST_FIELDS);
  const pairs = section<PairConfig, PairField>(old.pairs, next.pairs, PAIR_FIELDS);
  const applications = applicationChanges(old, next, pairs);
  const scs = scsChanges(old.scs, next.scs);
  const lca = (config: LoadedConfig, name: string) => {
    const host = config.hosts.find((h) => h.name === name);
    return host === undefined ? '?' : formatHostPort(host.lca);
  };
  const empty = [hosts, applications, pairs].every((s) => s.added.length + s.removed.length + s.changed.length === 0) && scs.length === 0;
  return {
    hosts,
    applications,
    pairs,
    scs,
    empty,
    describe: () => [
      ...describeSection('host', hosts, (name) => `lca ${lca(old, name)} -> ${lca(next, name)}`),
      ...describeSection('application', applications),
      ...describeSection('pair', pairs),
      ...scs.map(({ key, restartRequired }) => `scs.${key} changed${restartRequired ? ' (takes effect after the SCS restarts)' : ''}`),
    ],
  };
}
