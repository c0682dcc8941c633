// Waiting for a daemon's JSON log line as it is written: the file is followed from where it ended
// when the watch began, woken by the file system (inotify) and, as a fallback, every few ms.
// Each line is stamped with performance.now() when this process read it.

import { closeSync, fstatSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import { withDeadline } from './deadline.js';

export type LogLine = Readonly<Record<string, unknown>>;

export interface TimedLogLine {
  readonly line: LogLine;
  /** performance.now() when the line was read. */
  readonly at: number;
}

const FALLBACK_POLL_MS = 5;
const CHUNK_BYTES = 64 * 1024;

function parse(text: string): LogLine {
  try {
    return JSON.parse(text) as LogLine;
  } catch {
    return { message: text, level: 'raw' };
  }
}

/** Follows one log file; `close()` releases the watcher, the timer and the file. */
export class LogWatch {
  private readonly fd: number;
  private offset: number;
  private partial = '';
  private readonly lines: TimedLogLine[] = [];
  private readonly wakers = new Set<() => void>();
  private readonly watcher: FSWatcher;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'r');
    this.offset = fstatSync(this.fd).size;
    this.watcher = watch(file, () => this.read());
    this.watcher.on('error', () => undefined); // the fallback poll goes on
    this.timer = setInterval(() => this.read(), FALLBACK_POLL_MS);
  }

  /** The first line from the start of the watch on whose `message` is `message`. */
  async next(message: string, timeoutMs: number): Promise<TimedLogLine> {
    let wake: (() => void) | undefined;
    const found = new Promise<TimedLogLine>((resolve) => {
      wake = () => {
        const hit = this.lines.find((l) => l.line.message === message);
        if (hit !== undefined) resolve(hit);
      };
      this.wakers.add(wake);
      this.read();
      wake();
    });
    try {
      return await withDeadline(found, timeoutMs, `no log line "${message}" in ${this.file}`);
    } finally {
      if (wake !== undefined) this.wakers.delete(wake);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watcher.close();
    clearInterval(this.timer);
    closeSync(this.fd);
  }

  private read(): void {
    if (this.closed) return;
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let grew = false;
    for (;;) {
      const n = readSync(this.fd, buffer, 0, CHUNK_BYTES, this.offset);
      if (n <= 0) break;
      this.offset += n;
      grew = true;
      const at = performance.now();
      const parts = (this.partial + buffer.subarray(0, n).toString('utf8')).split('\n');
      this.partial = parts.pop() ?? '';
      for (const text of parts) if (text !== '') this.lines.push({ line: parse(text), at });
    }
    if (grew) for (const wake of this.wakers) wake();
  }
}
