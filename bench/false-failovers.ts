// False failovers: a real solution (two `mlayer lca`, one `mlayer scs`, a warm-standby pair of demo
// applications with app ADDP timeout T = 1 s). For 60 s the primary is told `HANG <ms>` again and
// again (random stalls of 0 to 0.5 × T, random pauses of 0 to 0.5 × T between them) while CPU
// burners (one busy `node -e` loop per core) load the machine. A stall shorter than the timeout
// is not a failure: the journal must show no switchover. The worst silence the LCA can see is a
// stall that begins just before its poll (sent after T/3 of silence) is answered: T/3 + 0.5 T.

import os from 'node:os';
import { LineClient } from './failover/line-client.js';
import { waitForSettledPair } from './failover/pair.js';
import { REQUEST_TIMEOUT_MS, isLine } from './failover/runs.js';
import { type FailoverSettings, type FailoverSolution, type JournalEvent, withFailoverSolution } from './failover/solution.js';
import { withChildProcesses } from './lib/child-processes.js';
import type { Measurement, Suite } from './lib/measurement.js';
import { summarize } from './lib/stats.js';

const STRESS_MS = 60_000;
const SETTINGS: FailoverSettings = {
  logLevel: 'info',
  scsAddpTimeout: 3,
  appAddpTimeout: 1,
  restart: { initialDelay: 0.5, maxDelay: 30 },
  scsNodeArgs: [],
  lcaNodeArgs: [],
};
const T_MS = SETTINGS.appAddpTimeout * 1000;
const MAX_STALL_MS = 0.5 * T_MS;
/** After the stress, time for a detection that was under way to show in the journal. */
const AFTERMATH_MS = 2 * T_MS;
const BURNER = 'for (;;) {}';

interface Stall {
  readonly requested: number;
  /** From writing `HANG` to the `OK` line (the stall plus the app's and the network's delays). */
  readonly observed: number;
}

interface Samples {
  readonly stalls: Stall[];
  readonly events: JournalEvent[];
  readonly burners: number;
  readonly samePids: boolean;
  readonly elapsedMs: number;
  readonly load: readonly [number, number];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function lastSeq(solution: FailoverSolution): Promise<number> {
  return (await solution.events(0)).at(-1)?.seq ?? 0;
}

/** Stalls the primary again and again until `untilMs` (performance.now()). */
async function stress(solution: FailoverSolution, port: number, untilMs: number): Promise<Stall[]> {
  const stalls: Stall[] = [];
  let client = await LineClient.open(port);
  try {
    while (performance.now() < untilMs) {
      const requested = Math.round(Math.random() * MAX_STALL_MS);
      const since = client.mark();
      const sentAt = client.send(`HANG ${requested}`);
      try {
        const ok = await client.next(`OK to HANG ${requested}`, since, isLine('OK'), REQUEST_TIMEOUT_MS);
        stalls.push({ requested, observed: ok.at - sentAt });
      } catch {
        // The primary is gone (a false failover killed it): keep stressing whichever is primary now.
        client.close();
        const pair = await waitForSettledPair(solution, 20_000);
        client = await LineClient.open(solution.port(pair.primary));
      }
      await sleep(Math.random() * MAX_STALL_MS);
    }
  } finally {
    client.close();
  }
  return stalls;
}

async function collect(progress: (message: string) => void): Promise<Samples> {
  const loadBefore = os.loadavg()[0] ?? NaN;
  return withFailoverSolution(SETTINGS, async (solution) => {
    const settled = await waitForSettledPair(solution, 20_000);
    const since = await lastSeq(solution);
    const burners = os.availableParallelism();
    progress(`pair settled (${settled.primary} primary); ${STRESS_MS / 1000} s of HANG 0–${MAX_STALL_MS} ms on it with ${burners} CPU burners`);
    const { stalls, elapsedMs } = await withChildProcesses(async (children) => {
      for (let i = 0; i < burners; i += 1) children.spawnNode('-e', [BURNER]);
      const startedAt = performance.now();
      const result = await stress(solution, solution.port(settled.primary), startedAt + STRESS_MS);
      return { stalls: result, elapsedMs: performance.now() - startedAt };
    });
    await sleep(AFTERMATH_MS);
    const after = await waitForSettledPair(solution, 20_000);
    const samePids = after.primary === settled.primary && after.primaryPid === settled.primaryPid && after.backupPid === settled.backupPid;
    return { stalls, events: await solution.events(since), burners, samePids, elapsedMs, load: [loadBefore, os.loadavg()[0] ?? NaN] };
  });
}

function measurements({ stalls, events, burners, samePids, elapsedMs, load }: Samples): Measurement[] {
  const count = (type: string) => events.filter((e) => e.type === type).length;
  const requested = summarize(stalls.map((s) => s.requested));
  const observed = summarize(stalls.map((s) => s.observed));
  const stalledMs = stalls.reduce((sum, s) => sum + s.requested, 0);
  const statusChanges = events.filter((e) => e.type === 'app-status').map((e) => `${String(e.app)} ${String(e.from)}→${String(e.to)}`);
  return [
    {
      name: 'switchovers during the stress',
      value: count('switchover-started'),
      unit: 'switchovers',
      target: { of: 'value', op: '<=', threshold: 0 },
      note: `${(elapsedMs / 1000).toFixed(1)} s of stalls on the primary, app ADDP timeout T = ${T_MS} ms, scs.addp timeout ${SETTINGS.scsAddpTimeout} s, `
        + `${burners} CPU burners (busy node loops, one per core); journal from the settled pair until ${AFTERMATH_MS} ms after the stress; `
        + `app-hung ${count('app-hung')}, host-disconnected ${count('host-disconnected')}, app-status changes ${statusChanges.length === 0 ? 'none' : statusChanges.join(', ')}; `
        + `both applications still the same processes afterwards: ${samePids ? 'yes' : 'NO'}; 1-min load average ${load[0].toFixed(2)} → ${load[1].toFixed(2)} on ${os.availableParallelism()} cores`,
    },
    { name: 'hung reports during the stress', value: count('app-hung'), unit: 'reports', note: 'a stall shorter than T must not be reported as a hang' },
    {
      name: 'stalls sent',
      value: stalls.length,
      unit: 'HANGs',
      note: `requested 0–${MAX_STALL_MS} ms (p50 ${requested.p50} ms), pauses 0–${MAX_STALL_MS} ms; the primary was stalled ${(stalledMs / 1000).toFixed(1)} s in all `
        + `(${((stalledMs / elapsedMs) * 100).toFixed(0)} % of the time)`,
    },
    {
      name: 'HANG → OK, longest',
      value: observed.max,
      unit: 'ms',
      distribution: observed,
      note: `the stall as this client saw it (requested + delays under load); p50 ${observed.p50.toFixed(0)} ms; longest requested ${requested.max} ms`,
    },
  ];
}

export const suite: Suite = {
  name: 'false-failovers',
  description: 'Primary stalled up to 0.5 × T (T = 1 s) again and again for 60 s on a CPU-loaded machine → zero switchovers',
  async run({ progress }) {
    return measurements(await collect(progress));
  },
};
