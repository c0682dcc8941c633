// A child process the benchmark talks to through stdout lines (the fake-LCA helper): each line is
// kept with its arrival time, waits look for a line by prefix, and the process is tracked so that
// it is SIGKILLed when its scope ends or the runner exits.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { withDeadline } from '../lib/deadline.js';
import { ProcessGroups } from '../lib/process-groups.js';

const STDERR_TAIL = 4096;

export interface TimedLine {
  readonly text: string;
  readonly at: number;
}

export class HelperProcess {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<unknown>;
  private readonly lines: TimedLine[] = [];
  private readonly wakers = new Set<() => void>();
  private stderrTail = '';
  private readonly tracked = new ProcessGroups();

  constructor(command: string, args: readonly string[], cwd: string) {
    this.process = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    if (this.process.pid === undefined) throw new Error(`cannot spawn ${command}`);
    this.pid = this.process.pid;
    this.tracked.add(this.pid, { group: false });
    this.exited = once(this.process, 'exit');
    this.process.on('error', (error) => {
      this.stderrTail += `\n[spawn error: ${error.message}]`;
    });
    createInterface({ input: this.process.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      this.lines.push({ text, at: performance.now() });
      for (const wake of this.wakers) wake();
    });
    this.process.stderr?.setEncoding('utf8');
    this.process.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
    });
    this.process.once('exit', () => {
      for (const wake of this.wakers) wake();
    });
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Every line so far that starts with `prefix`. */
  linesStartingWith(prefix: string): TimedLine[] {
    return this.lines.filter((l) => l.text.startsWith(prefix));
  }

  /** The first line (past or future) starting with `prefix`; rejects if the helper exits first or after `timeoutMs`. */
  async line(prefix: string, timeoutMs: number): Promise<TimedLine> {
    let wake: (() => void) | undefined;
    const found = new Promise<TimedLine>((resolve, reject) => {
      wake = () => {
        const hit = this.lines.find((l) => l.text.startsWith(prefix));
        if (hit !== undefined) resolve(hit);
        else if (!this.alive) reject(new Error(`helper ${this.pid} exited (${this.process.exitCode ?? this.process.signalCode}) before "${prefix}"; stderr: ${this.stderrTail.trim()}`));
      };
      this.wakers.add(wake);
      wake();
    });
    try {
      return await withDeadline(found, timeoutMs, `helper ${this.pid} did not print "${prefix}"; stderr: ${this.stderrTail.trim()}`);
    } finally {
      if (wake !== undefined) this.wakers.delete(wake);
    }
  }

  async kill(): Promise<void> {
    if (this.alive) this.process.kill('SIGKILL');
    await this.exited;
    this.tracked.forget(this.pid);
  }
}
