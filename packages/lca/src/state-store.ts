// The LCA's durable memory, in STATE_DIR/state.json: which applications it launched (spec, pid,
// token, process start time, last status and role) and the highest SCS epoch it has seen. A
// restarted LCA reads it to re-adopt running applications instead of restarting them.
// Writes are atomic (temp file, fsync, rename); a failed write (full disk) is logged and
// retried on the next change, and the LCA goes on serving from memory.

import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { APP_STATUSES, ROLES, appSpecSchema, errorMessage, type Logger } from '@mlayer/common';

const persistedAppSchema = z.object({
  spec: appSpecSchema,
  token: z.string(),
  pid: z.number().int().positive().nullable(),
  startTime: z.string().nullable(),
  status: z.enum(APP_STATUSES),
  role: z.enum(ROLES),
});
export type PersistedApp = z.output<typeof persistedAppSchema>;

const persistedStateSchema = z.object({
  version: z.literal(1),
  epoch: z.number().int().nonnegative(),
  apps: z.record(z.string(), persistedAppSchema),
});
export type PersistedState = z.output<typeof persistedStateSchema>;

export const emptyState = (): PersistedState => ({ version: 1, epoch: 0, apps: {} });

/** What the LCA needs of its durable memory (the chaos harness keeps it in memory). */
export interface LcaStateStore {
  /** Where it lives, for the logs. */
  readonly dir: string;
  load(): PersistedState;
  /**
   * Saves durably; never rejects. Given a function, calls it only when a write starts, so a
   * burst of changes costs one snapshot and one write, not one per change.
   */
  save(state: PersistedState | (() => PersistedState)): Promise<void>;
}

export class StateStore implements LcaStateStore {
  readonly file: string;
  private writing: Promise<void> | undefined;
  private next: (() => PersistedState) | undefined;
  /** Saves asked for, and saves whose write (started after the ask) has finished. */
  private requested = 0;
  private completed = 0;
  private waiters: Array<{ generation: number; resolve(): void }> = [];

  constructor(readonly dir: string, private readonly log: Logger) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'state.json');
  }

  /** The saved state; a missing file is a fresh start, a corrupt one is set aside with an error. */
  load(): PersistedState {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw error;
    }
    try {
      return persistedStateSchema.parse(JSON.parse(text));
    } catch (error) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      renameSync(this.file, aside);
      this.log.error('LCA state file is corrupt: starting without it (running applications will not be re-adopted)', {
        file: this.file, movedTo: aside, error: errorMessage(error),
      });
      return emptyState();
    }
  }

  /**
   * Saves durably; a burst of saves coalesces into one write of the latest state. Resolves once a
   * write that began after this call has finished (not when the queue runs dry). Never rejects.
   */
  save(state: PersistedState | (() => PersistedState)): Promise<void> {
    this.next = typeof state === 'function' ? state : () => state;
    const generation = ++this.requested;
    const done = new Promise<void>((resolve) => this.waiters.push({ generation, resolve }));
    this.writing ??= this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    while (this.completed < this.requested && this.next !== undefined) {
      const generation = this.requested;
      const state = this.next();
      try {
        await this.write(state);
      } catch (error) {
        this.log.error('cannot save LCA state (disk full?); serving from memory, will retry on the next change', {
          file: this.file, error: errorMessage(error),
        });
      }
      this.completed = generation;
      const ready = this.waiters.filter((w) => w.generation <= generation);
      this.waiters = this.waiters.filter((w) => w.generation > generation);
      for (const waiter of ready) waiter.resolve();
    }
    this.writing = undefined;
  }

  private async write(state: PersistedState): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(state)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
