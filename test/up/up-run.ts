// `mlayer up` as a user runs it, for the tests: the real binary in a copy of examples/ in a temp
// dir (so var/ and the generated secret go there), with the copy's ports rewritten to free ones.
// Every process of one run carries a marker in its environment (the LCAs pass theirs on to the
// applications), so cleanup can find and kill whatever is left, whatever went wrong.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { type LoadedConfig, loadConfig } from '@mlayer/common/config';
import type { StatusView } from '@mlayer/scs';
import { MLAYER, ROOT, freePort, killGroup, tempDir } from '../support/daemons.js';
import { pollUntil, waitFor } from '../support/wait.js';

export const EXAMPLES = join(ROOT, 'examples');

/** A copy of examples/ without the state of earlier runs, its ports replaced by free ones. */
export async function copyExamples(): Promise<string> {
  const dir = tempDir('mlayer-up-');
  cpSync(EXAMPLES, dir, { recursive: true, filter: (src) => !/^(var|secrets)(\/|$)/.test(relative(EXAMPLES, src)) });
  const file = join(dir, 'local.yaml');
  let text = readFileSync(file, 'utf8');
  const ports = new Set([...text.matchAll(/127\.0\.0\.1:(\d+)|"--port", "(\d+)"/g)].map((m) => m[1] ?? m[2]));
  const used = new Set<number>();
  for (const port of ports) {
    let free = await freePort();
    while (used.has(free)) free = await freePort();
    used.add(free);
    text = text.replace(new RegExp(`(127\\.0\\.0\\.1:|"--port", ")${port}\\b`, 'g'), `$1${free}`);
  }
  writeFileSync(file, text);
  return dir;
}

/** Pids of live (non-zombie) processes whose environment holds `marker`. */
export function markedPids(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker)) continue;
      if (readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z ')) continue;
      pids.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z ');
  } catch {
    return false;
  }
}

export class UpRun {
  readonly marker = `MLAYER_UP_TEST=${randomBytes(6).toString('hex')}`;
  readonly config: LoadedConfig;
  readonly url: string;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(readonly dir: string, readonly file = join(dir, 'local.yaml')) {
    this.config = loadConfig(file);
    this.url = `http://127.0.0.1:${this.config.scs.http.port}`;
  }

  /** Spawns `mlayer up local.yaml` in the copy, as a user would from that directory. */
  start(): this {
    const [key = '', value = ''] = this.marker.split('=');
    const child = spawn(process.execPath, [MLAYER, 'up', 'local.yaml'], { cwd: this.dir, env: { ...process.env, [key]: value }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => this.stdout.push(line));
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => this.stderr.push(line));
    return this;
  }

  /** The first stdout line (past or future) that matches; fails if `mlayer up` exits first. */
  waitForLine(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const child = this.child as ChildProcess;
    return waitFor(`a line ${pattern} from mlayer up`, () => {
      const line = this.stdout.find((l) => pattern.test(l));
      if (line === undefined && child.exitCode !== null) throw new Error(`mlayer up exited with ${child.exitCode}:\n${[...this.stdout, ...this.stderr].join('\n')}`);
      return line;
    }, { timeoutMs, events: [[child, 'exit']] });
  }

  async status(): Promise<StatusView> {
    const response = await fetch(`${this.url}/api/v1/status`);
    if (!response.ok) throw new Error(`GET /api/v1/status: ${response.status}`);
    return (await response.json()) as StatusView;
  }

  /** Until every application is started (and, with `roles`, has its configured role acknowledged). */
  async settled(options: { roles: boolean }, timeoutMs = 45_000): Promise<StatusView> {
    return pollUntil('every application started', async () => {
      const status = await this.status().catch(() => undefined);
      const ok = status?.applications.every((app) => {
        const configured = this.config.applications.find((a) => a.name === app.name)?.configuredRole;
        return app.status === 'started' && (!options.roles || app.role === configured);
      });
      return status !== undefined && ok === true && status.hosts.every((h) => h.connected) ? status : undefined;
    }, { timeoutMs, intervalMs: 100 });
  }

  runFile(): { pid: number; daemons: { name: string; pid: number }[] } {
    return JSON.parse(readFileSync(join(this.dir, 'var', 'up.json'), 'utf8')) as { pid: number; daemons: { name: string; pid: number }[] };
  }

  /** `mlayer ARGS` next to it (e.g. `status --url ...`), synchronously. */
  mlayer(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [MLAYER, ...args], { cwd: this.dir, encoding: 'utf8', timeout: 30_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Sends `signal` to `mlayer up` and resolves with its exit code. */
  async signal(signal: NodeJS.Signals, timeoutMs = 45_000): Promise<number | null> {
    this.child?.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`mlayer up did not exit within ${timeoutMs} ms after ${signal}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whatever is left of this run (after a failed test): kill it all. */
  async cleanup(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await this.exited;
    }
    for (const pid of markedPids(this.marker)) killGroup(pid);
    await pollUntil('the processes of the run to go', async () => markedPids(this.marker).length === 0, { timeoutMs: 5000 });
  }
}
