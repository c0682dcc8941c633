// The clock of one simulated process: every timer it starts goes through here, so that a crash
// can end them all at once (a dead process runs nothing), and a hang can hold them back (a
// blocked event loop runs its timers late, all at once, when it unblocks). Time itself is the
// global sinon fake clock.

import type { Clock, TimerHandle } from '@mlayer/common';

export class Lifetime implements Clock {
  private readonly timers = new Set<TimerHandle>();
  /** Callbacks whose time came while frozen, by handle (a clearTimeout still cancels them). */
  private frozen: Map<TimerHandle, () => void> | undefined;
  private dead = false;

  get alive(): boolean {
    return !this.dead;
  }

  get pending(): number {
    return this.timers.size + (this.frozen?.size ?? 0);
  }

  now(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    if (this.dead) {
      const inert = setTimeout(() => undefined, 0);
      clearTimeout(inert);
      return inert;
    }
    const handle: TimerHandle = setTimeout(() => {
      this.timers.delete(handle);
      if (this.frozen) this.frozen.set(handle, fn);
      else fn();
    }, ms);
    this.timers.add(handle);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle);
    this.frozen?.delete(handle);
    clearTimeout(handle);
  }

  /** A hang: timers that come due wait until thaw(). */
  freeze(): void {
    this.frozen ??= new Map();
  }

  thaw(): void {
    const due = this.frozen;
    this.frozen = undefined;
    for (const fn of due?.values() ?? []) {
      if (this.dead) return;
      fn();
    }
  }

  /** A crash: nothing of this process runs again. */
  kill(): void {
    this.dead = true;
    for (const handle of this.timers) clearTimeout(handle);
    this.timers.clear();
    this.frozen = undefined;
  }
}
