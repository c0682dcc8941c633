// Where `mlayer up` keeps a local solution's files, all under VAR, the parent directory of the
// journal (./var next to examples/local.yaml): VAR/lca-HOST (LCA state), VAR/log/*.log (the
// daemons), VAR/log/apps/APP.log (the applications), VAR/up.json (the run file). Also which hosts
// are local (LCA address on loopback), the API's URL, the LCA secret and the children's PATH.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HostPort, formatHostPort, isLoopback } from '@mlayer/common';
import type { HostConfig, LoadedConfig } from '@mlayer/common/config';

export interface LocalHost {
  readonly name: string;
  readonly listen: HostPort;
  readonly stateDir: string;
  readonly logFile: string;
}

export interface UpLayout {
  readonly varDir: string;
  readonly logDir: string;
  readonly appLogDir: string;
  readonly runFile: string;
  readonly scsLogFile: string;
  /** Hosts whose LCA address is loopback: `mlayer up` runs their LCA. */
  readonly localHosts: readonly LocalHost[];
  /** The others: their LCA must be started on their machine. */
  readonly remoteHosts: readonly HostConfig[];
  readonly apiUrl: string;
}

export function layoutFor(config: LoadedConfig): UpLayout {
  const varDir = dirname(config.scs.journal);
  const logDir = join(varDir, 'log');
  return {
    varDir,
    logDir,
    appLogDir: join(logDir, 'apps'),
    runFile: join(varDir, 'up.json'),
    scsLogFile: join(logDir, `${config.scs.id}.log`),
    localHosts: config.hosts
      .filter((h) => isLoopback(h.lca.host))
      .map((h) => ({ name: h.name, listen: h.lca, stateDir: join(varDir, `lca-${h.name}`), logFile: join(logDir, `lca-${h.name}.log`) })),
    remoteHosts: config.hosts.filter((h) => !isLoopback(h.lca.host)),
    apiUrl: apiUrl(config.scs.http),
  };
}

/** The URL a client on this machine uses: a wildcard listen address is reached on loopback. */
export function apiUrl(http: HostPort): string {
  const host = http.host === '0.0.0.0' || http.host === '' ? '127.0.0.1' : http.host === '::' ? '::1' : http.host;
  return `http://${formatHostPort({ host, port: http.port })}`;
}

/** Writes a fresh random secret (mode 600) when the file is missing; true when it did. */
export function ensureSecretFile(file: string): boolean {
  if (existsSync(file)) return false;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false; // another run wrote it first
    throw error;
  }
  return true;
}

/**
 * The environment of the daemons: PATH gains every node_modules/.bin above this package (as npm
 * scripts have it), so that `command: mlayer-demo-app` resolves however `mlayer` was started.
 */
export function daemonEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const bins: string[] = [];
  for (let dir = fileURLToPath(new URL('../..', import.meta.url)); ; dir = dirname(dir)) {
    const bin = join(dir, 'node_modules', '.bin');
    if (existsSync(bin)) bins.push(bin);
    if (dirname(dir) === dir) break;
  }
  const path = [...bins, ...(env.PATH ?? '').split(delimiter).filter((p) => p !== '' && !bins.includes(p))];
  return { ...env, PATH: path.join(delimiter) };
}
