// What a configuration reload changes, decided without touching anything: hosts whose LCA
// address changed or that went away are dropped, new ones connected; applications are added,
// removed or take a new spec (at their next start); a pair gets a new machine when its settings
// or its members changed. Running applications that did not change are not in the plan at all.

import type { ApplicationSpec, HostSpec, PairSpec, Solution } from './solution.js';

export interface ReloadPlan {
  readonly dropHosts: readonly string[];
  readonly addHosts: readonly HostSpec[];
  readonly removeApps: readonly string[];
  readonly addApps: readonly ApplicationSpec[];
  readonly updateApps: readonly ApplicationSpec[];
  /** Pairs whose machine is replaced (stopped, then started anew if still configured). */
  readonly restartPairs: readonly string[];
  readonly addPairs: readonly PairSpec[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function planReload(current: Solution, next: Solution): ReloadPlan {
  const hosts = new Map(current.hosts.map((h) => [h.name, h]));
  const nextHosts = new Map(next.hosts.map((h) => [h.name, h]));
  const dropHosts = current.hosts.filter((h) => !same(h, nextHosts.get(h.name))).map((h) => h.name);
  const addHosts = next.hosts.filter((h) => !same(h, hosts.get(h.name)));

  const apps = new Map(current.applications.map((a) => [a.spec.name, a]));
  const nextApps = new Map(next.applications.map((a) => [a.spec.name, a]));
  const touchedPairs = new Set<string>();
  const removeApps: string[] = [];
  const updateApps: ApplicationSpec[] = [];
  for (const [name, app] of apps) {
    const spec = nextApps.get(name);
    if (!spec) {
      removeApps.push(name);
      if (app.pair !== null) touchedPairs.add(app.pair);
    } else if (!same(spec, app)) {
      updateApps.push(spec);
      if (spec.pair !== app.pair || spec.host !== app.host) {
        if (spec.pair !== null) touchedPairs.add(spec.pair);
        if (app.pair !== null) touchedPairs.add(app.pair);
      }
    }
  }
  const addApps = next.applications.filter((a) => !apps.has(a.spec.name));
  for (const app of addApps) if (app.pair !== null) touchedPairs.add(app.pair);

  const pairs = new Map(current.pairs.map((p) => [p.name, p]));
  const nextPairs = new Map(next.pairs.map((p) => [p.name, p]));
  const restartPairs = current.pairs.filter((p) => !same(p, nextPairs.get(p.name)) || touchedPairs.has(p.name)).map((p) => p.name);
  const addPairs = next.pairs.filter((p) => !pairs.has(p.name) || restartPairs.includes(p.name));
  return { dropHosts, addHosts, removeApps, addApps, updateApps, restartPairs, addPairs };
}
