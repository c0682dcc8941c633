// Child processes started by benchmarks. Each is tracked from spawn to exit and SIGKILLed when its
// scope ends (even when the benchmark throws), when the runner exits, or when it is interrupted.

import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';

/** Every child of every scope still running: the runner's last-resort cleanup kills these. */
const running = new Set<ChildProcess>();
let exitCleanupInstalled = false;

function killRunningNow(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * Makes sure no child outlives the runner: on normal exit, on an uncaught error (both reach
 * 'exit') and on SIGINT/SIGTERM/SIGHUP, which would otherwise end the runner without 'exit'.
 */
export function installExitCleanup(): void {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  process.once('exit', killRunningNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killRunningNow();
      process.exit(128 + os.constants.signals[signal]);
    });
  }
}

const STDERR_TAIL_BYTES = 4096;

/** A Node child process with its stdout read as lines and the tail of its stderr kept for errors. */
export class NodeChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  private stderrTail = '';

  constructor(script: string, args: readonly string[]) {
    this.process = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (this.process.pid === undefined) throw new Error(`could not spawn node ${script}`);
    this.pid = this.process.pid;
    running.add(this.process);
    // Only 'exit' ends a child; an 'error' after a successful spawn (a failed kill) is kept for reports.
    this.exited = new Promise((resolve) => {
      this.process.once('exit', () => {
        running.delete(this.process);
        resolve();
      });
    });
    this.process.on('error', (error) => {
      this.stderrTail += `\n[spawn/kill error: ${error.message}]`;
    });
    this.process.stderr?.setEncoding('utf8');
    this.process.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
    });
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** Resolves when the child prints exactly `line`; rejects if it exits or stays silent for `timeoutMs`. */
  waitForLine(line: string, timeoutMs: number): Promise<void> {
    const stdout = this.process.stdout;
    if (stdout === null) return Promise.reject(new Error('child has no stdout pipe'));
    if (!this.alive) return Promise.reject(new Error(`child ${this.pid} already exited; stderr: ${this.stderrTail.trim()}`));
    return new Promise((resolve, reject) => {
      let buffered = '';
      const done = (error?: Error) => {
        clearTimeout(timer);
        stdout.removeListener('data', onData);
        this.process.removeListener('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        if (buffered.split('\n').slice(0, -1).includes(line)) done();
      };
      const onExit = (code: number | null, signal: string | null) =>
        done(new Error(`child ${this.pid} exited (${signal ?? code}) before printing "${line}"; stderr: ${this.stderrTail.trim()}`));
      const timer = setTimeout(
        () => done(new Error(`child ${this.pid} did not print "${line}" within ${timeoutMs} ms; stderr: ${this.stderrTail.trim()}`)),
        timeoutMs,
      );
      stdout.on('data', onData);
      this.process.once('exit', onExit);
    });
  }

  /** SIGKILLs the child (if still running) and waits until it has exited. */
  async kill(): Promise<void> {
    if (this.alive) this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** The children of one benchmark: `killAll()` ends whichever of them still run. */
export class ChildProcesses {
  private readonly children = new Set<NodeChild>();

  spawnNode(script: string, args: readonly string[] = []): NodeChild {
    installExitCleanup();
    const child = new NodeChild(script, args);
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.children].map((child) => child.kill()));
  }
}

/** Runs `body` with a fresh scope of children and kills all of them afterwards, whatever happened. */
export async function withChildProcesses<T>(body: (children: ChildProcesses) => Promise<T>): Promise<T> {
  const children = new ChildProcesses();
  try {
    return await body(children);
  } finally {
    await children.killAll();
  }
}
