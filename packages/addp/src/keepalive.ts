// The keep-alive clock of one connection. With timeout T the peer is lost when nothing at all has
// been received from it for T; to keep a healthy link from ever going silent, this side polls
// whenever it has heard nothing for T/3, so a hang is detected T after the last byte received.

import type { Clock, TimerHandle } from '@mlayer/common';

export interface KeepaliveHooks {
  /** Send a POLL now. */
  poll(): void;
  /** The peer has been silent for `silentMs` >= T. */
  expired(silentMs: number): void;
  /** The check ran late (this process stalled); logged by the owner. */
  late?(byMs: number): void;
}

export class Keepalive {
  private lastRx: number;
  private timer: TimerHandle | undefined;
  private dueAt = 0;
  private readonly third: number;

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
    private readonly hooks: KeepaliveHooks,
  ) {
    this.third = timeoutMs / 3;
    this.lastRx = clock.now();
    if (timeoutMs > 0) this.arm(this.third);
  }

  /** Call on every chunk received from the peer. Cheap: it never touches the timer. */
  received(now: number): void {
    this.lastRx = now;
  }

  /** A POLL_ACK arrived: the next poll is due T/3 from now. */
  acknowledged(): void {
    if (this.timer !== undefined) this.arm(this.third);
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const delay = Math.max(0, delayMs);
    this.dueAt = this.clock.now() + delay;
    this.timer = this.clock.setTimeout(this.check, delay);
    this.timer.unref?.();
  }

  private readonly check = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    const lateBy = now - this.dueAt;
    const silent = now - this.lastRx;
    if (silent >= this.timeoutMs) {
      // A check that ran late means this process stalled: bytes from the peer may be waiting
      // unread in the socket. Let pending I/O run once before judging the peer.
      if (lateBy > this.third) {
        this.hooks.late?.(lateBy);
        this.arm(0);
        return;
      }
      this.hooks.expired(silent);
      return;
    }
    if (silent >= this.third) {
      this.hooks.poll();
      this.arm(Math.min(this.lastRx + this.timeoutMs, now + this.third) - now);
    } else {
      this.arm(this.lastRx + this.third - now);
    }
  };
}
