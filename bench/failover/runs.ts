// What every failover run shares: its time limits, a quiet moment before the fault (so that the
// fault meets idle links, as a real failure of a long-running pair would), and a WATCH on the
// backup that has confirmed the role the SCS shows.

import { LineClient } from './line-client.js';
import type { SettledPair } from './pair.js';
import type { FailoverSolution } from './solution.js';

/** How long a promotion may take before the run counts as broken (not slow). */
export const PROMOTION_TIMEOUT_MS = 5_000;
/** How long the failed member has to come back as backup. */
export const SETTLE_TIMEOUT_MS = 20_000;
export const REQUEST_TIMEOUT_MS = 5_000;
/** Quiet time between the pair settling and the fault: the last role acks, logs and state writes finish. */
export const QUIET_MS = 100;

export function quiet(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, QUIET_MS));
}

/** A WATCH on `app` that has answered `role <role>`. */
export async function watchRole(solution: FailoverSolution, app: SettledPair['backup'], role: 'primary' | 'backup'): Promise<LineClient> {
  const { client, role: seen } = await LineClient.watch(solution.port(app), REQUEST_TIMEOUT_MS);
  if (seen !== role) {
    client.close();
    throw new Error(`${app} says role ${seen} on WATCH, but the SCS shows it ${role}`);
  }
  return client;
}

export const isLine = (text: string) => (line: string) => line === text;
