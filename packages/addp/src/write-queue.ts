// Writes that respect the socket's backpressure: when the socket says "full", frames wait here,
// up to a byte limit, and are flushed on 'drain'. Beyond the limit the writer is told at once.

import type { Writable } from 'node:stream';

export const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export class WriteQueue {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private blocked = false;

  constructor(
    private readonly socket: Writable,
    readonly maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES,
  ) {}

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Writes or queues `buf`; false when the queue would exceed its limit (nothing is written then). */
  write(buf: Buffer): boolean {
    if (!this.blocked) {
      if (!this.socket.write(buf)) this.block();
      return true;
    }
    if (this.queuedBytes + buf.length > this.maxQueuedBytes) return false;
    this.queue.push(buf);
    this.queuedBytes += buf.length;
    return true;
  }

  clear(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.socket.removeListener('drain', this.flush);
  }

  private block(): void {
    this.blocked = true;
    this.socket.once('drain', this.flush);
  }

  private readonly flush = (): void => {
    this.blocked = false;
    while (this.queue.length > 0) {
      const buf = this.queue.shift() as Buffer;
      this.queuedBytes -= buf.length;
      if (!this.socket.write(buf)) {
        this.block();
        return;
      }
    }
  };
}
