// The pair between runs: which member is primary, and when it is settled — the SCS's pair
// machine `active`, one member started with role primary, the other started with role backup
// (both acknowledged by the applications themselves and wanted so by the SCS).

import { APPS, type AppName, type AppView, type FailoverSolution } from './solution.js';

export interface SettledPair {
  readonly primary: AppName;
  readonly backup: AppName;
  readonly primaryPid: number;
  readonly backupPid: number;
  /** performance.now() when the API first showed the pair settled. */
  readonly at: number;
}

const POLL_MS = 10;

function settled(primary: AppView | undefined, backup: AppView | undefined): boolean {
  return primary !== undefined && backup !== undefined
    && primary.status === 'started' && primary.role === 'primary' && primary.desiredRole === 'primary' && primary.pid !== null
    && backup.status === 'started' && backup.role === 'backup' && backup.desiredRole === 'backup' && backup.pid !== null;
}

/**
 * Polls the API until the pair is settled (with `primary` as primary, if given); rejects after
 * `timeoutMs` with the last status seen.
 */
export async function waitForSettledPair(solution: FailoverSolution, timeoutMs: number, primary?: AppName): Promise<SettledPair> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  for (;;) {
    const status = await solution.status();
    const at = performance.now();
    const pair = status.pairs[0];
    const view = (name: string | null | undefined) => status.applications.find((a) => a.name === name);
    const active = pair?.active as AppName | null | undefined;
    const other = APPS.find((name) => name !== active);
    if (pair?.state === 'active' && active != null && other !== undefined && (primary === undefined || active === primary)) {
      const p = view(active);
      const b = view(other);
      if (settled(p, b)) {
        solution.forgetReaped();
        return { primary: active, backup: other, primaryPid: p?.pid as number, backupPid: b?.pid as number, at };
      }
    }
    last = JSON.stringify({ pair, applications: status.applications.map(({ name, status: s, role, desiredRole, pid }) => ({ name, s, role, desiredRole, pid })) });
    if (at > deadline) {
      throw new Error(`the pair did not settle${primary === undefined ? '' : ` with ${primary} as primary`} within ${timeoutMs} ms; last status: ${last}\nSCS log:\n${solution.scsTail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
