// One hang: `kill -STOP` of the primary. Its sockets stay open, so only the application ↔ LCA
// keep-alive can tell: after T of silence the LCA reports it hung and SIGKILLs it, and the SCS
// promotes the backup. Timed from the SIGSTOP to the backup's `role primary` line. Whatever
// happens, the stopped process does not stay stopped: the LCA's SIGKILL ends it, and if that
// did not happen, this run continues and kills it itself (and says so).

import { readFileSync } from 'node:fs';
import { type SettledPair, waitForSettledPair } from './pair.js';
import { PROMOTION_TIMEOUT_MS, SETTLE_TIMEOUT_MS, isLine, quiet, watchRole } from './runs.js';
import type { FailoverSolution } from './solution.js';
import { isAlive } from '../lib/process-groups.js';

/** How long the LCA has, after the promotion, to have killed and reaped the hung process. */
const REAP_TIMEOUT_MS = 3_000;

export interface HangTiming {
  /** Milliseconds from the SIGSTOP to the backup's `role primary`. */
  readonly promoted: number;
  /** The hung process was still there (stopped) after the promotion and this run had to kill it. */
  readonly leftStopped: boolean;
}

/** The process state letter of /proc/PID/stat ('T' = stopped, 'Z' = zombie), or null when gone. */
function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

/** Continues and kills `pid` if it is still stopped; true if it had to. */
function releaseIfStopped(pid: number): boolean {
  if (processState(pid) !== 'T') return false;
  for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
  return true;
}

export async function hangRun(solution: FailoverSolution, pair: SettledPair): Promise<{ timing: HangTiming; next: SettledPair }> {
  const watch = await watchRole(solution, pair.backup, 'backup');
  const pid = pair.primaryPid;
  let stopped = false;
  let leftStopped = false;
  try {
    await quiet();
    const since = watch.mark();
    const stoppedAt = performance.now();
    process.kill(pid, 'SIGSTOP');
    stopped = true;
    const promoted = await watch.next(`"role primary" after kill -STOP of ${pair.primary} (pid ${pid})`, since, isLine('role primary'), PROMOTION_TIMEOUT_MS);
    if (!(await gone(pid, REAP_TIMEOUT_MS))) leftStopped = releaseIfStopped(pid);
    const next = await waitForSettledPair(solution, SETTLE_TIMEOUT_MS, pair.backup);
    return { timing: { promoted: promoted.at - stoppedAt, leftStopped }, next };
  } finally {
    watch.close();
    if (stopped) releaseIfStopped(pid);
  }
}
