// Real daemons for integration tests: `mlayer lca` processes on ephemeral loopback ports, with
// their JSON log lines captured, and cleanup that stops them and every application they
// launched (those run in their own process groups and would outlive the LCA otherwise).

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MLAYER = join(ROOT, 'packages/cli/bin/mlayer.js');
export const DEMO_APP = join(ROOT, 'packages/lca/bin/mlayer-demo-app.js');

export type LogLine = Readonly<Record<string, unknown>> & { message?: string; level?: string };

export interface RunningLca {
  readonly process: ChildProcess;
  readonly port: number;
  readonly name: string;
  readonly stateDir: string;
  readonly logDir: string;
  readonly secret: string | undefined;
  readonly logs: LogLine[];
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

const started: RunningLca[] = [];
const tempDirs: string[] = [];

export function tempDir(prefix = 'mlayer-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function writeSecret(dir: string, secret = 'correct-horse-battery-staple-42'): { file: string; secret: string } {
  const file = join(dir, 'lca.secret');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { file, secret };
}

export interface LcaStartOptions {
  readonly name?: string;
  readonly secret?: string;
  readonly stateDir?: string;
  readonly port?: number;
  readonly extraArgs?: readonly string[];
}

export async function startLca(options: LcaStartOptions = {}): Promise<RunningLca> {
  const name = options.name ?? 'host-t';
  const stateDir = options.stateDir ?? tempDir('mlayer-lca-');
  const logDir = join(stateDir, 'logs');
  mkdirSync(stateDir, { recursive: true });
  const args = [MLAYER, 'lca', '--listen', `127.0.0.1:${options.port ?? 0}`, '--name', name, '--state-dir', stateDir, '--log-level', 'debug'];
  let secret: string | undefined;
  if (options.secret !== undefined) {
    const written = writeSecret(stateDir, options.secret);
    secret = written.secret;
    args.push('--secret-file', written.file);
  }
  args.push(...(options.extraArgs ?? []));
  const daemon = await spawnDaemon(args, 'the LCA to listen', 'LCA listening', 'mlayer lca');
  const lca: RunningLca = { ...daemon, process: daemon.process, port: 0, name, stateDir, logDir, secret };
  started.push(lca);
  const port = Number(String(daemon.ready.address).split(':').pop());
  return Object.assign(lca, { port });
}

export interface Daemon {
  readonly process: ChildProcess;
  /** Every JSON log line it wrote on stderr, parsed. */
  readonly logs: LogLine[];
  /** The log line that said it was ready. */
  readonly ready: LogLine;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** Starts `node ARGS` (an mlayer command), collects its JSON logs, and waits for its `ready` log line. */
export async function spawnDaemon(args: readonly string[], what: string, readyMessage: string, name = 'mlayer'): Promise<Daemon> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` } });
  const logs: LogLine[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      logs.push({ message: line, level: 'raw' });
    }
  });
  const exited = once(child, 'exit');
  const stopWith = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
  };
  const stop = stopWith('SIGTERM');
  const kill = stopWith('SIGKILL');
  try {
    const ready = await waitFor(what, () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${logs.slice(-5).map((l) => JSON.stringify(l)).join('\n')}`);
      return logs.find((l) => l.message === readyMessage);
    }, { timeoutMs: 20_000, events: [[child, 'exit']] });
    return { process: child, logs, ready, stop, kill };
  } catch (error) {
    await kill();
    throw error;
  }
}

/** Pids of every application an LCA state dir says it launched. */
/**
 * The applications an LCA launched and may still run: the pids its state file gives for those
 * not stopped (a stopped one's pid may be reused), and the processes that carry one of its launch
 * tokens (an LCA killed right after a spawn may not have saved that pid yet).
 */
export function launchedPids(stateDir: string): number[] {
  let apps: Array<{ pid: number | null; token: string; status: string }>;
  try {
    apps = Object.values((JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as { apps: Record<string, { pid: number | null; token: string; status: string }> }).apps);
  } catch {
    return [];
  }
  const pids = apps.filter((a) => a.status !== 'stopped').map((a) => a.pid).filter((p): p is number => p !== null);
  const tokens = new Set(apps.map((a) => `MLAYER_APP_TOKEN=${a.token}`));
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pids.includes(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').some((v) => tokens.has(v))) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

export function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGCONT');
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Stops every LCA started by this file and every application they launched. */
export async function cleanupDaemons(extraPids: Iterable<number> = []): Promise<void> {
  const lcas = started.splice(0);
  for (const lca of lcas) await lca.kill();
  for (const lca of lcas) for (const pid of launchedPids(lca.stateDir)) killGroup(pid);
  for (const pid of extraPids) killGroup(pid);
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A port that was free a moment ago (for applications that must listen on a known port). */
/**
 * `error` with the last non-debug log lines of each daemon appended to its message: what a
 * timed-out wait needs to be diagnosed from CI output alone.
 */
export function withLogs(error: unknown, sources: Readonly<Record<string, readonly LogLine[] | undefined>>, lines = 25): Error {
  const base = error instanceof Error ? error : new Error(String(error));
  const parts = Object.entries(sources).map(([who, logs]) =>
    `--- last logs of ${who}\n${(logs ?? []).filter((l) => l.level !== 'debug').slice(-lines).map((l) => JSON.stringify(l)).join('\n')}`);
  base.message = `${base.message}\n${parts.join('\n')}`;
  return base;
}

/** The logs of each LCA, by host, as withLogs() names them. */
export function lcaLogSources(lcas: ReadonlyMap<string, RunningLca>): Record<string, LogLine[]> {
  return Object.fromEntries([...lcas].map(([host, lca]) => [`the LCA of ${host}`, lca.logs]));
}

/** The kernel's range for the local ports of outgoing connections (Linux default 32768-60999). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && low > 0 && high >= low) return [low, high];
  } catch {
    // not Linux: assume the default
  }
  return [32768, 60999];
}

/** Ports freePort() gave out in this process: never given twice (a test may not have bound one yet). */
const handedOut = new Set<number>();

/**
 * A port free on loopback now, for a daemon to listen on later. Taken below the ephemeral range:
 * a port the kernel handed out with listen(0) is free again once probed, and the kernel may give
 * it next to an outgoing connection (any link a test opens) before the daemon binds it
 * (EADDRINUSE, seen once). Random within the range so that concurrent tests rarely collide.
 */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = async (port: number): Promise<number | undefined> => {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) return undefined;
    const { port: got } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return got;
  };
  const [low] = ephemeralRange();
  const floor = low > 12_000 ? 10_000 : 1024;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    // With little room below the ephemeral range (a tuned host), the kernel's choice it is.
    const wanted = low - floor < 1000 ? 0 : floor + Math.floor(Math.random() * (low - floor));
    if (handedOut.has(wanted)) continue;
    const port = await probe(wanted);
    if (port !== undefined && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found below the ephemeral range (${low})`);
}

export function demoSpec(name: string, port: number, overrides: Partial<{ addpTimeoutMs: number; startTimeoutMs: number; stopTimeoutMs: number; args: string[] }> = {}) {
  return {
    name,
    command: DEMO_APP,
    args: overrides.args ?? ['--port', String(port)],
    env: {},
    addpTimeoutMs: overrides.addpTimeoutMs ?? 500,
    startTimeoutMs: overrides.startTimeoutMs ?? 15_000,
    stopTimeoutMs: overrides.stopTimeoutMs ?? 3000,
  };
}
