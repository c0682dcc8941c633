// One daemon of the solution under test (`mlayer lca` or `mlayer scs`) as a child process: its
// log (stderr) goes to a file, as in production — a pipe would wake the benchmark for every
// line, in the middle of the failovers it times, on a machine with few cores — and it ends with
// SIGKILL, or with SIGTERM first when it runs with --cpu-prof and must write its profile.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MLAYER, ROOT } from '../../test/support/daemons.js';
import { withDeadline } from '../lib/deadline.js';

const READY_TIMEOUT_MS = 20_000;
/** With --cpu-prof a daemon writes its profile only when it exits normally: SIGTERM, then this grace. */
const PROFILE_EXIT_GRACE_MS = 10_000;

type LogLine = Readonly<Record<string, unknown>>;

function parseLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { message: line, level: 'raw' };
  }
}

export class Daemon {
  readonly exited: Promise<unknown>;
  readonly pid: number;

  constructor(readonly name: string, readonly process: ChildProcess, readonly logFile: string, private readonly graceful: boolean) {
    if (process.pid === undefined) throw new Error(`cannot spawn ${name}`);
    this.pid = process.pid;
    this.exited = once(process, 'exit');
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  private lines(): string[] {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').filter((line) => line !== '');
    } catch {
      return [];
    }
  }

  tail(n = 8): string {
    return this.lines().slice(-n).join('\n');
  }

  /** The first log line with this message (polled: only used while the daemon starts). */
  async waitForLog(message: string): Promise<LogLine> {
    let check: ReturnType<typeof setInterval> | undefined;
    const arrival = new Promise<LogLine>((resolve, reject) => {
      check = setInterval(() => {
        const line = this.lines().map(parseLine).find((l) => l.message === message);
        if (line !== undefined) resolve(line);
        else if (!this.alive) reject(new Error(`${this.name} exited (${this.process.exitCode ?? this.process.signalCode}) before logging "${message}"`));
      }, 10);
    });
    try {
      return await withDeadline(arrival, READY_TIMEOUT_MS, `${this.name} did not log "${message}"`);
    } catch (error) {
      throw new Error(`${(error as Error).message}; its log ends:\n${this.tail()}`);
    } finally {
      clearInterval(check);
    }
  }

  /** Ends the daemon: SIGKILL, or SIGTERM first when it must write a CPU profile on exit. */
  async end(): Promise<void> {
    if (!this.alive) return;
    if (this.graceful) {
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'), PROFILE_EXIT_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
      return;
    }
    this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** Starts `node [nodeArgs] mlayer.js args` in `dir`, logging to `dir/<name>.log`. */
export function spawnDaemon(name: string, dir: string, nodeArgs: readonly string[], args: readonly string[]): Daemon {
  const logFile = join(dir, `${name.replace(/\s+/g, '-')}.log`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...nodeArgs, MLAYER, ...args], {
      cwd: dir,
      stdio: ['ignore', 'ignore', fd],
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
    });
  } finally {
    closeSync(fd);
  }
  return new Daemon(name, child, logFile, nodeArgs.some((a) => a.startsWith('--cpu-prof') || a.startsWith('--heap-prof')));
}
