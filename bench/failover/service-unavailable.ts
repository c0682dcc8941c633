// One service-unavailable switchover: the primary is told `SERVICE unavailable` on its line port
// and reports it through its LCA; the SCS demotes it to backup first, then promotes the backup.
// Timed from sending the line to each member's WATCH line. The demoted member is then told
// `SERVICE available`, and the run ends when the pair is settled the other way round.

import { LineClient } from './line-client.js';
import { type SettledPair, waitForSettledPair } from './pair.js';
import { PROMOTION_TIMEOUT_MS, REQUEST_TIMEOUT_MS, SETTLE_TIMEOUT_MS, isLine, quiet, watchRole } from './runs.js';
import type { FailoverSolution } from './solution.js';

/** Milliseconds from sending `SERVICE unavailable`. */
export interface UnavailableTiming {
  /** The old primary's WATCH says `role backup` (the demotion comes first). */
  readonly demoted: number;
  /** The backup's WATCH says `role primary`. */
  readonly promoted: number;
}

export async function unavailableRun(solution: FailoverSolution, pair: SettledPair): Promise<{ timing: UnavailableTiming; next: SettledPair }> {
  const clients: LineClient[] = [];
  try {
    const backupWatch = await watchRole(solution, pair.backup, 'backup');
    clients.push(backupWatch);
    const primaryWatch = await watchRole(solution, pair.primary, 'primary');
    clients.push(primaryWatch);
    const control = await LineClient.open(solution.port(pair.primary));
    clients.push(control);
    await quiet();
    const [sinceBackup, sincePrimary, sinceControl] = [backupWatch.mark(), primaryWatch.mark(), control.mark()];
    const sentAt = control.send('SERVICE unavailable');
    const [promoted, demoted] = await Promise.all([
      backupWatch.next(`"role primary" on ${pair.backup} after SERVICE unavailable on ${pair.primary}`, sinceBackup, isLine('role primary'), PROMOTION_TIMEOUT_MS),
      primaryWatch.next(`"role backup" on ${pair.primary} after its SERVICE unavailable`, sincePrimary, isLine('role backup'), PROMOTION_TIMEOUT_MS),
      control.next('OK to SERVICE unavailable', sinceControl, isLine('OK'), REQUEST_TIMEOUT_MS),
    ]);
    await control.request('SERVICE available', isLine('OK'), REQUEST_TIMEOUT_MS);
    const next = await waitForSettledPair(solution, SETTLE_TIMEOUT_MS, pair.backup);
    return { timing: { demoted: demoted.at - sentAt, promoted: promoted.at - sentAt }, next };
  } finally {
    for (const client of clients) client.close();
  }
}
