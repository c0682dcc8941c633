// The rules of the configuration that span keys: unique names, references to hosts and
// applications, the shape of pairs and of an SCS pair. They read the parsed YAML data as it is,
// so that a file with type errors still gets every other problem reported in the same run.

import { formatHostPort, parseHostPort } from '../address.js';
import { PAIR_OPTIONS } from './schema.js';
import type { ConfigProblem } from './problems.js';

type Entry = Readonly<Record<string, unknown>>;

function entry(value: unknown): Entry | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Entry) : undefined;
}

function entries(value: unknown): (Entry | undefined)[] {
  return Array.isArray(value) ? value.map(entry) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function list(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? 'there are none' : all.join(', ');
}

/** Names of a section, first occurrence wins; later duplicates are problems. */
function uniqueNames(section: 'hosts' | 'applications', items: readonly (Entry | undefined)[], problems: ConfigProblem[]): Map<string, number> {
  const names = new Map<string, number>();
  items.forEach((item, i) => {
    const name = text(item?.['name']);
    if (name === undefined) return;
    const first = names.get(name);
    if (first === undefined) names.set(name, i);
    else problems.push({ path: [section, i, 'name'], message: `"${name}" is already the name of ${section}[${first}]; names must be unique` });
  });
  return names;
}

function checkLcaAddresses(hosts: readonly (Entry | undefined)[], problems: ConfigProblem[]): void {
  const seen = new Map<string, string>();
  hosts.forEach((host, i) => {
    const lca = text(host?.['lca']);
    if (lca === undefined) return;
    let key: string;
    let written: string;
    try {
      key = formatHostPort(parseHostPort(lca, 'address', { lcaPort: true }));
      written = formatHostPort(parseHostPort(lca, 'address'));
    } catch {
      return; // the schema reports the malformed address
    }
    const owner = seen.get(key);
    const name = text(host?.['name']) ?? `hosts[${i}]`;
    const rule = key === written ? '' : ' (a port of 1999 or lower means 4999)';
    if (owner === undefined) seen.set(key, name);
    else problems.push({ path: ['hosts', i, 'lca'], message: `${key}${rule} is already the LCA of ${owner}; every host has its own LCA` });
  });
}

function checkBackups(apps: readonly (Entry | undefined)[], appNames: ReadonlyMap<string, number>, problems: ConfigProblem[]): Map<string, string> {
  const primaryOf = new Map<string, string>(); // backup name -> primary name
  apps.forEach((app, i) => {
    const name = text(app?.['name']) ?? `applications[${i}]`;
    const backup = text(app?.['backup']);
    if (backup === undefined) return;
    const at = ['applications', i, 'backup'];
    const target = appNames.has(backup) ? apps[appNames.get(backup) ?? -1] : undefined;
    const owner = primaryOf.get(backup);
    if (backup === name) {
      problems.push({ path: at, message: `"${backup}" is this application itself; name another application as its backup` });
    } else if (!appNames.has(backup)) {
      problems.push({ path: at, message: `"${backup}" is not an application in this file (applications: ${list(appNames.keys())})` });
    } else if (owner !== undefined) {
      problems.push({ path: at, message: `"${backup}" is already the backup of ${owner}; a backup belongs to exactly one primary` });
    } else {
      primaryOf.set(backup, name);
      const itsBackup = text(target?.['backup']);
      if (itsBackup !== undefined) {
        problems.push({ path: at, message: `"${backup}" has a backup itself (${itsBackup}); a backup cannot have a backup` });
      }
      const kind = app?.['kind'] ?? 'generic';
      const backupKind = target?.['kind'] ?? 'generic';
      if (typeof kind === 'string' && typeof backupKind === 'string' && kind !== backupKind) {
        problems.push({
          path: at,
          message: `"${backup}" is kind ${backupKind} but ${name} is kind ${kind}; both applications of a pair must have the same kind`,
        });
      }
    }
  });
  return primaryOf;
}

function checkPairSettings(apps: readonly (Entry | undefined)[], primaryOf: ReadonlyMap<string, string>, problems: ConfigProblem[]): void {
  apps.forEach((app, i) => {
    if (app === undefined) return;
    const name = text(app['name']) ?? '';
    const hasBackup = text(app['backup']) !== undefined;
    const primary = primaryOf.get(name);
    const onPrimary = primary === undefined ? 'set it on the primary, the application with backup' : `set it on ${primary}, the primary of this pair`;
    const redundancy = app['redundancy'] ?? 'none';
    if ((redundancy === 'warm-standby' || redundancy === 'hot-standby') && !hasBackup) {
      problems.push({
        path: ['applications', i, 'redundancy'],
        message: primary === undefined
          ? `${redundancy} needs a backup: add backup: NAME, or set redundancy: none`
          : `is set on the primary only: ${name} is the backup of ${primary}; remove it here`,
      });
    }
    if (hasBackup && redundancy === 'none') {
      problems.push({ path: ['applications', i, 'backup'], message: 'a pair needs redundancy: warm-standby or hot-standby on its primary (here redundancy is none)' });
    }
    for (const option of PAIR_OPTIONS) {
      if (app[option] !== undefined && !hasBackup) problems.push({ path: ['applications', i, option], message: `is a pair option; ${onPrimary}` });
    }
    if (app['requireSync'] === true && hasBackup && redundancy === 'warm-standby') {
      problems.push({ path: ['applications', i, 'requireSync'], message: 'needs redundancy: hot-standby (a warm standby backup does not keep in sync)' });
    }
  });
}

function checkRestartDelays(apps: readonly (Entry | undefined)[], problems: ConfigProblem[]): void {
  apps.forEach((app, i) => {
    const restart = entry(app?.['restart']);
    if (restart === undefined) return;
    const initial = restart['initialDelay'] ?? 0.5;
    const max = restart['maxDelay'] ?? 30;
    if (typeof initial !== 'number' || typeof max !== 'number' || max >= initial) return;
    if (restart['maxDelay'] !== undefined) {
      problems.push({ path: ['applications', i, 'restart', 'maxDelay'], message: `must be at least restart.initialDelay (${initial} s)` });
    } else {
      problems.push({ path: ['applications', i, 'restart', 'initialDelay'], message: `must be at most restart.maxDelay (default ${max} s)` });
    }
  });
}

function checkScs(scs: Entry | undefined, hostNames: ReadonlyMap<string, number> | undefined, problems: ConfigProblem[]): void {
  if (scs === undefined) return;
  const hostRef = (value: unknown, path: (string | number)[]) => {
    const host = text(value);
    if (hostNames !== undefined && host !== undefined && !hostNames.has(host)) {
      problems.push({ path, message: `"${host}" is not a host in this file (hosts: ${list(hostNames.keys())})` });
    }
  };
  hostRef(scs['host'], ['scs', 'host']);
  const peer = entry(scs['peer']);
  if (peer === undefined) return;
  hostRef(peer['host'], ['scs', 'peer', 'host']);
  if (scs['listenPeer'] === undefined) {
    problems.push({ path: ['scs', 'listenPeer'], message: 'is required when scs.peer is set: the HOST:PORT where this SCS accepts its peer' });
  }
  if (scs['host'] === undefined) {
    problems.push({ path: ['scs', 'host'], message: 'is required when scs.peer is set: the host (one of hosts) this SCS runs on' });
  }
  const id = scs['id'] ?? 'scs';
  if (peer['id'] === id) problems.push({ path: ['scs', 'peer', 'id'], message: `must differ from scs.id ("${id}")` });
}

/** Every cross-key problem of the parsed YAML data `data`. */
export function checkReferences(data: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const root = entry(data);
  const hosts = entries(root?.['hosts']);
  const apps = entries(root?.['applications']);
  const hostNames = uniqueNames('hosts', hosts, problems);
  checkLcaAddresses(hosts, problems);
  const appNames = uniqueNames('applications', apps, problems);
  // without a list of hosts (the schema reports it), every host reference would be reported too
  const hostsListed = Array.isArray(root?.['hosts']);
  apps.forEach((app, i) => {
    const host = text(app?.['host']);
    if (hostsListed && host !== undefined && !hostNames.has(host)) {
      problems.push({ path: ['applications', i, 'host'], message: `"${host}" is not a host in this file (hosts: ${list(hostNames.keys())})` });
    }
  });
  const primaryOf = checkBackups(apps, appNames, problems);
  checkPairSettings(apps, primaryOf, problems);
  checkRestartDelays(apps, problems);
  checkScs(entry(root?.['scs']), hostsListed ? hostNames : undefined, problems);
  return problems;
}
