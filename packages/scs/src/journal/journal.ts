// The SCS's append-only event journal (CONTRACT.md section 6): assigns seq and time, writes
// events to segment files with group commit (one write + one fsync per batch), keeps recent
// events in memory for since() and the SSE stream, and survives a full disk by holding events
// in memory until a later append gets them written.

import { dirname } from 'node:path';
import { type Logger, ValidationError, errorCode, errorMessage, silentLogger } from '@mlayer/common';
import type { JournalEvent, ScsEventBody } from '../events.js';
import { JournalError } from './errors.js';
import { type JournalFs, nodeJournalFs } from './fs.js';
import { type RecoveredJournal, recoverJournal } from './recovery.js';
import { SegmentWriter } from './segment-writer.js';
import { readSegmentEvents } from './segments.js';
import type { EventWindow } from './window.js';

/** since() never returns more than this many events at once. */
export const MAX_SINCE_LIMIT = 10_000;

export interface JournalOptions {
  readonly logger?: Logger;
  /** A segment that reaches this size is closed; the next append starts a new one. Default 8 MiB. */
  readonly maxSegmentBytes?: number;
  /** Segments kept on disk, the current one included; older ones are deleted. Default 16. */
  readonly keepSegments?: number;
  /** Recent events kept in memory for since(). Default 10,000. */
  readonly memoryEvents?: number;
  /** Wall clock for the `time` field. Default: `new Date()`. */
  readonly now?: () => Date;
  /** File-system layer. Default: node:fs/promises. */
  readonly fs?: JournalFs;
}

export type JournalListener = (event: JournalEvent) => void;

interface Unwritten {
  readonly event: JournalEvent;
  readonly line: Buffer;
}

interface Waiter {
  readonly events: JournalEvent[];
  resolve(events: JournalEvent[]): void;
  reject(error: JournalError): void;
}

export class Journal {
  private seq: number;
  /** Highest seq known to be fsynced. */
  private durable: number;
  /** Highest seq handed to subscribers and visible to since(). */
  private published: number;
  /** Events not yet fsynced, oldest first: the next write starts with them. */
  private unwritten: Unwritten[] = [];
  /** Appends (and flushes) waiting for the next write. */
  private waiters: Waiter[] = [];
  private draining = false;
  private idle: Array<() => void> = [];
  private failing = false;
  private closed = false;
  private readonly listeners = new Set<JournalListener>();

  private constructor(
    readonly dir: string,
    private readonly writer: SegmentWriter,
    private readonly window: EventWindow,
    lastSeq: number,
    private readonly fs: JournalFs,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {
    this.seq = lastSeq;
    this.durable = lastSeq;
    this.published = lastSeq;
  }

  /** Opens (creating if needed) the journal in `dir`, repairing what a crash left behind. */
  static async open(dir: string, options: JournalOptions = {}): Promise<Journal> {
    const maxSegmentBytes = positiveInteger('maxSegmentBytes', options.maxSegmentBytes ?? 8 * 1024 * 1024, 1);
    const keepSegments = positiveInteger('keepSegments', options.keepSegments ?? 16, 1);
    const memoryEvents = positiveInteger('memoryEvents', options.memoryEvents ?? 10_000, 0);
    const { logger: log = silentLogger, now = () => new Date(), fs = nodeJournalFs } = options;
    let recovered: RecoveredJournal;
    try {
      // A new directory must survive a crash too: fsync its parent, which holds its entry.
      if (await fs.mkdir(dir)) await fs.syncDir(dirname(dir));
      recovered = await recoverJournal(fs, dir, log, memoryEvents);
    } catch (error) {
      if (error instanceof JournalError) throw error;
      throw new JournalError(`cannot open the journal in ${dir} (${errorCode(error) ?? errorMessage(error)}): check the path and its permissions`, {
        cause: error,
      });
    }
    const writer = new SegmentWriter(fs, dir, log, { maxSegmentBytes, keepSegments }, recovered.segments, recovered.lastSegmentSize);
    log.info('journal opened', { dir, lastSeq: recovered.lastSeq, segments: recovered.segments.length });
    return new Journal(dir, writer, recovered.recent, recovered.lastSeq, fs, log, now);
  }

  /** The last seq assigned (0 for an empty journal). Its event may not be on disk yet. */
  get lastSeq(): number {
    return this.seq;
  }

  /** The last seq known to be fsynced. */
  get durableSeq(): number {
    return this.durable;
  }

  /**
   * Journals events. Seq and time are assigned now, synchronously, so the order of calls is the
   * order of seqs; resolves with the events once they are fsynced. Rejects with a JournalError
   * when the disk fails: the events are kept in memory (still published to subscribers and
   * returned by since()) and written, in order, by the next append that succeeds.
   */
  append(bodies: ScsEventBody | readonly ScsEventBody[]): Promise<JournalEvent[]> {
    if (this.closed) return Promise.reject(new JournalError(`journal ${this.dir} is closed`));
    const list: readonly ScsEventBody[] = Array.isArray(bodies) ? bodies : [bodies as ScsEventBody];
    const time = this.now().toISOString();
    const events = list.map((body) => {
      const event = Object.freeze({ seq: ++this.seq, time, ...body }) as JournalEvent;
      this.unwritten.push({ event, line: Buffer.from(`${JSON.stringify(event)}\n`, 'utf8') });
      return event;
    });
    return this.enqueue(events);
  }

  /**
   * Journals events another SCS already journaled (a backup following its primary): they keep
   * their seq and time. They must continue this journal: the first one's seq is lastSeq + 1 and
   * the seqs are contiguous; events at or below lastSeq are already here and are skipped.
   */
  appendReplicated(events: readonly JournalEvent[]): Promise<JournalEvent[]> {
    if (this.closed) return Promise.reject(new JournalError(`journal ${this.dir} is closed`));
    const fresh = events.filter((e) => e.seq > this.seq);
    let expected = this.seq + 1;
    for (const event of fresh) {
      if (event.seq !== expected) {
        return Promise.reject(new JournalError(`replicated event ${event.seq} does not continue this journal (next is ${expected})`));
      }
      expected += 1;
    }
    for (const event of fresh) {
      this.seq = event.seq;
      this.unwritten.push({ event: Object.freeze({ ...event }), line: Buffer.from(`${JSON.stringify(event)}\n`, 'utf8') });
    }
    return this.enqueue(fresh);
  }

  /** Resolves once every event appended so far is fsynced (retrying held events after a failure). */
  async flush(): Promise<void> {
    if (this.unwritten.length === 0 && !this.draining) return;
    await this.enqueue([]);
  }

  /**
   * Calls `listener` with every event, in seq order, once its write has finished: after the
   * fsync, or after the write failed (the event is then held in memory, not yet durable).
   * A crash can thus never take back an event a listener has seen, unless the disk was failing.
   * Returns the unsubscribe function.
   */
  subscribe(listener: JournalListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Published events with seq > `seq`, oldest first, at most `limit` (capped at MAX_SINCE_LIMIT):
   * from memory when it still holds them, else from the segments on disk (events in deleted
   * segments are gone: the answer then starts at the oldest one kept).
   */
  async since(seq: number, limit: number = MAX_SINCE_LIMIT): Promise<JournalEvent[]> {
    const max = Math.min(Math.max(Math.floor(limit), 0), MAX_SINCE_LIMIT);
    const upTo = this.published;
    if (max === 0 || seq >= upTo) return [];
    if (this.window.covers(seq)) return this.window.since(seq, max);

    const found: JournalEvent[] = [];
    let after = seq;
    const segments = this.writer.segments.slice();
    // Start at the last segment whose first event is at or before the one wanted.
    let start = 0;
    segments.forEach((segment, i) => {
      if (segment.firstSeq !== undefined && segment.firstSeq <= seq + 1) start = i;
    });
    for (const segment of segments.slice(start)) {
      if (found.length >= max || this.window.covers(after)) break;
      if (segment.lastSeq !== undefined && segment.lastSeq <= after && segment !== segments.at(-1)) continue;
      for (const event of await readSegmentEvents(this.fs, segment.path, after)) {
        if (event.seq > upTo || found.length >= max) break;
        found.push(event);
        after = event.seq;
      }
    }
    if (found.length < max) found.push(...this.window.since(after, max - found.length));
    return found;
  }

  /** Writes what is pending (one attempt), closes the segment file. Appends after this reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    let failure: unknown;
    try {
      await this.flush();
    } catch (error) {
      failure = error;
    }
    this.closed = true;
    await this.whenIdle();
    await this.writer.close();
    this.listeners.clear();
    if (failure !== undefined) throw failure;
  }

  private enqueue(events: JournalEvent[]): Promise<JournalEvent[]> {
    const done = new Promise<JournalEvent[]>((resolve, reject) => this.waiters.push({ events, resolve, reject }));
    if (!this.draining) {
      this.draining = true;
      // Let the rest of this tick's appends join the batch.
      process.nextTick(() => void this.drain());
    }
    return done;
  }

  /** Writes batches until no append waits; appends arriving during an fsync form the next batch. */
  private async drain(): Promise<void> {
    while (this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      await this.writeBatch(this.unwritten.slice(), waiters);
    }
    this.draining = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private async writeBatch(batch: Unwritten[], waiters: Waiter[]): Promise<void> {
    const first = batch[0];
    const last = batch.at(-1);
    if (first === undefined || last === undefined) {
      for (const waiter of waiters) waiter.resolve(waiter.events);
      return;
    }
    try {
      await this.writer.write(Buffer.concat(batch.map((u) => u.line)), first.event.seq, last.event.seq);
    } catch (cause) {
      const code = errorCode(cause) ?? 'error';
      const error = new JournalError(
        `cannot write the event journal in ${this.dir} (${code}: ${errorMessage(cause)}); ` +
          `${batch.length} events are held in memory and will be written by the next append`,
        { cause },
      );
      if (!this.failing) {
        this.failing = true;
        this.log.error('journal: write failed; holding events in memory until the disk recovers', {
          dir: this.dir, file: this.writer.currentPath, code, error: errorMessage(cause), held: batch.length,
        });
      } else {
        this.log.debug('journal: write failed again', { code, held: batch.length });
      }
      this.publish(batch);
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    this.unwritten.splice(0, batch.length);
    this.durable = last.event.seq;
    if (this.failing) {
      this.failing = false;
      this.log.info('journal: writes recovered', { dir: this.dir, durableSeq: this.durable });
    }
    this.publish(batch);
    for (const waiter of waiters) waiter.resolve(waiter.events);
  }

  private publish(batch: Unwritten[]): void {
    for (const { event } of batch) {
      if (event.seq <= this.published) continue;
      this.published = event.seq;
      this.window.push(event);
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.log.warn('journal: a subscriber threw', { seq: event.seq, error: errorMessage(error) });
        }
      }
    }
    this.window.trim(this.durable);
  }

  private whenIdle(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(`journal option ${name} must be an integer >= ${min} (got ${value})`);
  }
  return value;
}
