// One `mlayer lca` or `mlayer scs` child of `mlayer up`. It runs in its own process group, so a
// Ctrl-C in the terminal reaches only `mlayer up`, which then stops everything in order; its log
// lines go straight to a file (nothing passes through `mlayer up`, nothing over the screen); it
// is ready when that file shows its ready line. After an unexpected exit it is restarted with
// exponential backoff, as a service manager would: an LCA re-adopts its running applications,
// an SCS resumes from its journal.

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { Backoff, MlayerError } from '@mlayer/common';
import { processStartTime } from './processes.js';

export const MLAYER_BIN = fileURLToPath(new URL('../../bin/mlayer.js', import.meta.url));

export interface DaemonSpec {
  /** How messages name it: `LCA host-a`, `SCS scs-a`. */
  readonly label: string;
  /** The `mlayer` arguments, e.g. `['lca', '--listen', ...]`. */
  readonly args: readonly string[];
  readonly logFile: string;
  /** The `message` of the JSON log line that says it serves. */
  readonly readyMessage: string;
  readonly env: NodeJS.ProcessEnv;
}

export type DaemonEvent =
  | { readonly type: 'ready'; readonly pid: number; readonly restarted: boolean }
  | { readonly type: 'exited'; readonly pid: number; readonly code: number | null; readonly signal: string | null }
  | { readonly type: 'restart-scheduled'; readonly inMs: number; readonly attempt: number }
  | { readonly type: 'restart-failed'; readonly message: string };

export type SpawnDaemon = (args: readonly string[], logFd: number, env: NodeJS.ProcessEnv) => ChildProcess;

export interface DaemonOptions {
  readonly onEvent: (daemon: Daemon, event: DaemonEvent) => void;
  readonly spawn?: SpawnDaemon;
  readonly backoff?: Backoff;
  readonly readyTimeoutMs?: number;
  /** A run at least this long resets the restart backoff. */
  readonly stableMs?: number;
}

type DaemonState = 'idle' | 'starting' | 'running' | 'waiting' | 'stopping' | 'stopped';

const spawnMlayer: SpawnDaemon = (args, logFd, env) =>
  spawn(process.execPath, [MLAYER_BIN, ...args], { detached: true, stdio: ['ignore', logFd, logFd], env });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Daemon {
  private state: DaemonState = 'idle';
  private child: ChildProcess | undefined;
  private exited: Promise<unknown> = Promise.resolve();
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private readonly spawnDaemon: SpawnDaemon;

  pid: number | undefined;
  startTime: string | null = null;

  constructor(readonly spec: DaemonSpec, private readonly options: DaemonOptions) {
    this.backoff = options.backoff ?? new Backoff({ initialMs: 1000, maxMs: 30_000 });
    this.spawnDaemon = options.spawn ?? spawnMlayer;
  }

  get label(): string {
    return this.spec.label;
  }

  /** The first start: rejects, with the end of its log, when it exits or hangs before it serves. */
  async start(): Promise<void> {
    await this.launch();
    this.options.onEvent(this, { type: 'ready', pid: this.pid as number, restarted: false });
  }

  /** SIGTERM, up to `graceMs` (cut short by `hurry`), then SIGKILL. Resolves true if it had to kill. */
  async stop(graceMs: number, hurry?: AbortSignal): Promise<boolean> {
    clearTimeout(this.restartTimer);
    const child = this.child;
    this.setState('stopping');
    let killed = false;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await this.waitExit(graceMs, hurry))) {
        child.kill('SIGKILL');
        killed = true;
        await this.waitExit(5000);
      }
    }
    this.setState('stopped');
    return killed;
  }

  private setState(next: DaemonState): void {
    this.state = next;
  }

  private async launch(): Promise<void> {
    this.setState('starting');
    const offset = statSync(this.spec.logFile, { throwIfNoEntry: false })?.size ?? 0;
    const fd = openSync(this.spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = this.spawnDaemon(this.spec.args, fd, this.spec.env);
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    child.once('error', () => undefined); // a failed spawn also emits 'exit'
    this.pid = child.pid;
    this.startTime = child.pid === undefined ? null : processStartTime(child.pid);
    this.startedAt = Date.now();
    await this.waitReady(child, offset);
    this.setState('running');
  }

  private async waitReady(child: ChildProcess, offset: number): Promise<void> {
    const tail = new LogTail(this.spec.logFile, offset);
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 20_000);
    for (;;) {
      const ready = tail.read().some((line) => line.message === this.spec.readyMessage);
      const done = child.exitCode !== null || child.signalCode !== null; // ready and gone at once is no start
      if (ready && !done && this.state === 'starting') return;
      if (done || this.state !== 'starting' || Date.now() > deadline) {
        if (!done) child.kill('SIGKILL');
        const how = done ? `exited (${child.signalCode ?? `code ${child.exitCode}`})` : this.state === 'starting' ? 'did not get ready in time' : 'was stopped';
        throw new MlayerError('EDAEMON', `${this.label} ${how}; the end of ${this.spec.logFile}:\n${tail.last().map((l) => `    ${l}`).join('\n')}`);
      }
      await sleep(50);
    }
  }

  private waitExit(ms: number, hurry?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (exited: boolean) => {
        clearTimeout(timer);
        hurry?.removeEventListener('abort', onHurry);
        resolve(exited);
      };
      const onHurry = () => finish(false);
      const timer = setTimeout(() => finish(false), ms);
      hurry?.addEventListener('abort', onHurry);
      if (hurry?.aborted === true) finish(false);
      void this.exited.then(() => finish(true));
    });
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (child !== this.child || this.state !== 'running') return; // stopping, or a start that failed
    this.options.onEvent(this, { type: 'exited', pid: child.pid as number, code, signal });
    if (Date.now() - this.startedAt >= (this.options.stableMs ?? 30_000)) this.backoff.reset();
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const inMs = this.backoff.next();
    this.setState('waiting');
    this.options.onEvent(this, { type: 'restart-scheduled', inMs, attempt: this.backoff.attempts });
    this.restartTimer = setTimeout(() => void this.restart(), inMs);
  }

  private async restart(): Promise<void> {
    try {
      await this.launch();
      this.options.onEvent(this, { type: 'ready', pid: this.pid as number, restarted: true });
    } catch (error) {
      if (this.state !== 'starting') return; // stopped meanwhile
      this.options.onEvent(this, { type: 'restart-failed', message: (error as Error).message });
      this.scheduleRestart();
    }
  }
}

type LogLine = { readonly message?: unknown };

/** Reads a daemon's log file from an offset: the JSON lines it wrote since, and its last lines. */
class LogTail {
  private position: number;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly recent: string[] = [];

  constructor(private readonly file: string, offset: number) {
    this.position = offset;
  }

  read(): LogLine[] {
    const buffer = Buffer.alloc(64 * 1024);
    let text = '';
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return [];
    }
    try {
      for (let n = readSync(fd, buffer, 0, buffer.length, this.position); n > 0; n = readSync(fd, buffer, 0, buffer.length, this.position)) {
        this.position += n;
        text += this.decoder.write(buffer.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    this.recent.push(...lines.filter((l) => l.trim() !== ''));
    this.recent.splice(0, Math.max(0, this.recent.length - 8));
    return lines.flatMap((line) => {
      try {
        const value = JSON.parse(line) as unknown;
        return typeof value === 'object' && value !== null ? [value as LogLine] : [];
      } catch {
        return [];
      }
    });
  }

  last(): string[] {
    this.read();
    return this.partial === '' ? [...this.recent] : [...this.recent, this.partial];
  }
}
