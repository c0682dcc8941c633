// Requests awaiting their reply on one link: correlation ids, per-request timers, and failing
// them all at once when the link is lost.

import type { Clock, TimerHandle } from '@mlayer/common';
import { AddpError, RemoteError } from './errors.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: TimerHandle;
}

export class PendingRequests {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.pending.size;
  }

  /** A fresh correlation id (uint32, never 0). */
  allocate(): number {
    const id = this.nextId;
    this.nextId = id >= 0xffffffff ? 1 : id + 1;
    return id;
  }

  /** Registers request `id`; the promise settles with its reply, its timeout, or `failAll`. */
  wait(id: number, timeoutMs: number, peer: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(new AddpError('ADDP_REQUEST_TIMEOUT', `no reply from ${peer} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  /** Settles request `id` with a reply; a reply for an unknown id (late, after its timeout) is dropped. */
  settle(id: number, failed: boolean, value: unknown): void {
    const request = this.pending.get(id);
    if (!request) return;
    this.pending.delete(id);
    this.clock.clearTimeout(request.timer);
    if (failed) {
      const body = value as { code?: unknown; message?: unknown } | undefined;
      request.reject(new RemoteError(String(body?.code ?? 'ERROR'), String(body?.message ?? 'request failed')));
    } else {
      request.resolve(value);
    }
  }

  failAll(error: Error): void {
    for (const request of this.pending.values()) {
      this.clock.clearTimeout(request.timer);
      request.reject(error);
    }
    this.pending.clear();
  }
}
