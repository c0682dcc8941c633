// What a restarted SCS takes from its journal: which member of each pair it last made primary,
// so that it waits for that one instead of promoting the configured primary over it.

import type { JournalEvent } from './events.js';
import type { Slot } from './guards.js';
import type { PairSpec } from './solution.js';

export function lastPrimaryOf(pair: PairSpec, history: readonly JournalEvent[]): Slot | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const event = history[i] as JournalEvent;
    let name: string | undefined;
    if (event.type === 'switchover-completed' && event.pair === pair.name) name = event.primary;
    else if (event.type === 'app-role' && event.to === 'primary') name = event.app;
    if (name === pair.primary) return 'a';
    if (name === pair.backup) return 'b';
  }
  return null;
}
