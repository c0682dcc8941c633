// One crash failover: with the pair settled, a WATCH on the backup and a bare TCP connection to
// the primary's line port, `kill -9` the primary and time the backup's `role primary` line and
// the bare socket's close (the physical limit: the same kernel exit closes it). Then wait for
// the killed member to be restarted by the SCS and settle as backup: the next run's backup.

import { BareSocket } from './line-client.js';
import { type SettledPair, waitForSettledPair } from './pair.js';
import { PROMOTION_TIMEOUT_MS, REQUEST_TIMEOUT_MS, SETTLE_TIMEOUT_MS, isLine, quiet, watchRole } from './runs.js';
import type { FailoverSolution } from './solution.js';
import { withDeadline } from '../lib/deadline.js';

/** Milliseconds from the kill. */
export interface CrashTiming {
  /** The backup's WATCH says `role primary`. */
  readonly promoted: number;
  /** The bare socket to the killed primary saw its first sign of the close. */
  readonly bare: number;
  /** The pair is settled again: the killed member restarted and acknowledged backup. */
  readonly reprotected: number;
}

export async function crashRun(solution: FailoverSolution, pair: SettledPair): Promise<{ timing: CrashTiming; next: SettledPair }> {
  const watch = await watchRole(solution, pair.backup, 'backup');
  let bare: BareSocket | undefined;
  try {
    bare = await BareSocket.open(solution.port(pair.primary), REQUEST_TIMEOUT_MS);
    if (bare.pong !== 'PONG primary') throw new Error(`${pair.primary} answered PING with ${bare.pong}, but the SCS shows it primary`);
    await quiet();
    const since = watch.mark();
    const killedAt = performance.now();
    process.kill(pair.primaryPid, 'SIGKILL');
    const [promoted] = await Promise.all([
      watch.next(`"role primary" after kill -9 of ${pair.primary} (pid ${pair.primaryPid})`, since, isLine('role primary'), PROMOTION_TIMEOUT_MS),
      withDeadline(bare.closed, PROMOTION_TIMEOUT_MS, `the bare socket to ${pair.primary} (pid ${pair.primaryPid}) did not close`),
    ]);
    const next = await waitForSettledPair(solution, SETTLE_TIMEOUT_MS, pair.backup);
    return { timing: { promoted: promoted.at - killedAt, bare: bare.firstSign - killedAt, reprotected: next.at - killedAt }, next };
  } finally {
    watch.close();
    bare?.destroy();
  }
}
