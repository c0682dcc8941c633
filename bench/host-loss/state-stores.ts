// The LCAs' durable state in the host-loss-scale suite. An LCA saves its whole state (every
// application) on every change of any application: with a thousand applications on one host
// that is O(N) work per save. The production StateStore coalesces a burst of saves into one
// write (state.json, fsynced); the store below keeps the state in memory (as the chaos harness
// does), taking a burst of saves once on the next turn, until `useDisk()` switches it to the
// production StateStore for a measured run.

import type { Logger } from '@mlayer/common';
import { type LcaStateStore, type PersistedState, StateStore, emptyState } from '@mlayer/lca/internal';

export class SwitchableStateStore implements LcaStateStore {
  private disk: StateStore | undefined;
  private last: PersistedState = emptyState();
  /** In memory, a burst of saves is taken once, on the next turn (as StateStore coalesces while it writes). */
  private next: (() => PersistedState) | undefined;
  private taking: Promise<void> | undefined;

  constructor(readonly dir: string, private readonly log: Logger) {}

  get onDisk(): boolean {
    return this.disk !== undefined;
  }

  load(): PersistedState {
    return emptyState();
  }

  save(state: PersistedState | (() => PersistedState)): Promise<void> {
    if (this.disk !== undefined) {
      return this.disk.save(() => {
        this.last = typeof state === 'function' ? state() : state;
        return this.last;
      });
    }
    this.next = typeof state === 'function' ? state : () => state;
    this.taking ??= new Promise<void>((resolve) => setImmediate(() => {
      this.taking = undefined;
      this.take();
      resolve();
    }));
    return this.taking;
  }

  private take(): void {
    if (this.next !== undefined) this.last = this.next();
    this.next = undefined;
  }

  /** From now on every save goes to STATE_DIR/state.json, as in production; the state so far is written first. */
  async useDisk(): Promise<void> {
    this.take();
    this.disk ??= new StateStore(this.dir, this.log);
    await this.disk.save(this.last);
  }

  /** Back to memory, once the file has caught up (so that no write is left in flight). */
  async useMemory(): Promise<void> {
    const disk = this.disk;
    this.disk = undefined;
    await disk?.save(this.last);
  }
}
