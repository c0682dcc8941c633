// The SCS's hold on its journal: the one journal it writes (or, as a backup, replicates into),
// the fan-out of every journaled event to API subscribers and to the peer SCS, the barrier that
// role decisions wait on (nothing is acted on before its event is on disk), and setting a
// diverged journal aside after a split brain.

import { dirname } from 'node:path';
import { type Logger, errorMessage } from '@mlayer/common';
import type { JournalEvent, ScsEventBody } from './events.js';
import { Journal, type JournalOptions, nodeJournalFs } from './journal/index.js';

export class JournalFeed {
  private journal: Journal | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly listeners = new Set<(event: JournalEvent) => void>();
  /** Resolves when every event appended so far is durable (or failed to be). */
  private barrier: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string, private readonly log: Logger, private readonly options: JournalOptions = {}) {}

  async open(): Promise<void> {
    this.attach(await Journal.open(this.dir, { logger: this.log, ...this.options }));
  }

  get current(): Journal {
    if (!this.journal) throw new Error('journal not open');
    return this.journal;
  }

  get lastSeq(): number {
    return this.journal?.lastSeq ?? 0;
  }

  /** Every event journaled from now on, in seq order, after it is written. */
  subscribe(listener: (event: JournalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Appends; anything given to `afterDurable` later runs once this event is on disk. */
  append(event: ScsEventBody): void {
    const journal = this.journal;
    if (!journal) return;
    this.barrier = journal.append(event).catch((error: unknown) => {
      // Availability first: a journal that cannot write (full disk) does not stop failover.
      this.log.error('journal write failed; acting without durability', { error: errorMessage(error), event: event.type });
    });
  }

  afterDurable(task: () => void): void {
    void this.barrier.then(task);
  }

  /** After a split brain, a demoted SCS's journal is set aside and replaced by the primary's. */
  async reset(): Promise<void> {
    const old = this.current;
    await old.close();
    const aside = `${old.dir}.diverged-${Date.now()}`;
    // Through the journal's own file-system layer, like every other journal write.
    const fs = this.options.fs ?? nodeJournalFs;
    await fs.rename(old.dir, aside);
    await fs.syncDir(dirname(old.dir));
    this.log.warn('journal set aside after a split brain', { kept: aside });
    await this.open();
  }

  async close(): Promise<void> {
    await this.barrier;
    this.unsubscribe?.();
    await this.journal?.close();
  }

  private attach(journal: Journal): void {
    this.unsubscribe?.();
    this.journal = journal;
    this.unsubscribe = journal.subscribe((event) => {
      for (const listener of this.listeners) listener(event);
    });
  }
}
