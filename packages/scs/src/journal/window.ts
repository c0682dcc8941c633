// The journal's memory: the most recent events, oldest first, so since() and a reconnecting
// SSE client are served without reading the disk. Events not yet on disk are never dropped.

import type { JournalEvent } from '../events.js';

export class EventWindow {
  private events: JournalEvent[] = [];
  /** Index of the oldest kept event in `events`: dropping from the front is O(1). */
  private start = 0;

  constructor(private readonly keep: number) {}

  get size(): number {
    return this.events.length - this.start;
  }

  /** Seq of the oldest event held, or undefined when empty. */
  get firstSeq(): number | undefined {
    return this.events[this.start]?.seq;
  }

  push(event: JournalEvent): void {
    this.events.push(event);
  }

  /** Drops the oldest events beyond `keep`, but only those with seq <= `durableSeq`. */
  trim(durableSeq: number): void {
    while (this.size > this.keep) {
      const oldest = this.events[this.start];
      if (oldest === undefined || oldest.seq > durableSeq) break;
      this.start++;
    }
    if (this.start > 1024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }

  /** True when the window holds the event right after `seq` (or an older one): no disk read needed. */
  covers(seq: number): boolean {
    const first = this.firstSeq;
    return first !== undefined && first <= seq + 1;
  }

  /** Held events with seq > `seq`, oldest first, at most `limit`. */
  since(seq: number, limit: number): JournalEvent[] {
    let lo = this.start;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid]?.seq ?? Infinity) > seq) hi = mid;
      else lo = mid + 1;
    }
    return this.events.slice(lo, lo + limit);
  }
}
