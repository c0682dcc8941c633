// One seeded schedule: at every step, inject a random fault that makes sense now (or none), then
// let a random slice of time pass while the invariants are checked; after the last step, stop
// the faults and require convergence. The same seed always gives the same run.

import { ChaosRun, type FakeClockRun, type RunInvariants, type RunOptions, type RunWorld, watched } from './harness.js';
import { MAX_SLOW_ACK_MS } from './invariants.js';
import { Prng } from './prng.js';
import type { SimProcess } from './sim-host.js';
import { APPS, HOSTS } from './solution.js';
import type { World } from './world.js';
import type { Invariants } from './invariants.js';

export interface ScheduleResult {
  readonly seed: number;
  readonly steps: number;
  readonly violations: readonly string[];
  /** The last actions before the end (or the first violation). */
  readonly trace: readonly string[];
  readonly faults: Readonly<Record<string, number>>;
  /** Known limitations the run met (not violations), by kind. */
  readonly notes?: Readonly<Record<string, number>>;
  readonly simulatedMs: number;
  readonly realMs: number;
}

/** What a chaos worker thread posts to its parent. */
export type WorkerMessage = { readonly type: 'start'; readonly seed: number } | { readonly type: 'result'; readonly result: ScheduleResult };

export interface ScheduleOptions extends RunOptions {
  readonly steps: number;
  /** Lines of trace kept for the report. */
  readonly traceLines?: number;
}

/** How likely each fault is at a step (faults that make no sense now are left out). */
const FAULTS = {
  idle: 30,
  'app-crash': 8,
  'app-hang': 5,
  'app-restart': 3,
  'app-unavailable': 5,
  'app-available': 6,
  'lca-crash': 3,
  'lca-restart': 12,
  'host-loss': 3,
  partition: 4,
  heal: 10,
  'scs-crash': 2,
  'scs-restart': 12,
  'slow-ack': 5,
  'cs-peer-up': 3,
} as const;
type Fault = keyof typeof FAULTS;

/** Simulated time between two steps. */
export const STEP_MS = { min: 20, max: 800 } as const;

export class Scheduler {
  readonly counts: Record<string, number> = {};

  constructor(private readonly world: World, private readonly invariants: Invariants, private readonly rng: Prng) {}

  /** Picks and injects one fault that makes sense now (a restart only of what is down, ...). */
  async step(): Promise<void> {
    const { world, rng } = this;
    const live = world.allProcesses().filter((p) => !p.hung);
    const started = live.filter((p) => p.status === 'started');
    const unavailable = live.filter((p) => p.status === 'service-unavailable');
    const lcasUp = HOSTS.filter((h) => world.lcaUp(h));
    const lcasDown = HOSTS.filter((h) => !world.lcaUp(h));
    const cut = HOSTS.filter((h) => !world.linked(h));
    const configServers = live.filter((p) => world.def(p.name).kind === 'config-server');
    const possible: Record<Fault, boolean> = {
      idle: true,
      'app-crash': live.length > 0,
      'app-hang': live.length > 0,
      'app-restart': world.scs !== undefined,
      'app-unavailable': started.length > 0,
      'app-available': unavailable.length > 0,
      'lca-crash': lcasUp.length > 0,
      'lca-restart': lcasDown.length > 0,
      'host-loss': cut.length < HOSTS.length,
      partition: true,
      heal: cut.length > 0,
      'scs-crash': world.scs !== undefined,
      'scs-restart': world.scs === undefined,
      'slow-ack': live.length > 0,
      'cs-peer-up': configServers.length > 0,
    };
    const weights = Object.fromEntries(Object.entries(FAULTS).map(([k, w]) => [k, possible[k as Fault] ? w : 0])) as Record<Fault, number>;
    const fault = rng.weighted(weights);
    this.counts[fault] = (this.counts[fault] ?? 0) + 1;
    const any = (list: SimProcess[]) => rng.pick(list);
    switch (fault) {
      case 'idle':
        return;
      case 'app-crash':
        return world.crashApp(any(live));
      case 'app-hang':
        return world.hangApp(any(live), rng.int(300, 6000));
      case 'app-restart':
        return world.operatorRestart(rng.pick(APPS).name);
      case 'app-unavailable':
        return world.serviceUnavailable(any(started), true);
      case 'app-available':
        return world.serviceUnavailable(any(unavailable), false);
      case 'lca-crash':
        return world.crashLca(rng.pick(lcasUp));
      case 'lca-restart':
        return world.startLca(rng.pick(lcasDown));
      case 'host-loss':
        return world.partition(rng.pick(HOSTS.filter((h) => !cut.includes(h))), 'both');
      case 'partition':
        return world.partition(rng.pick(HOSTS), rng.pick(['to-host', 'from-host', 'both'] as const));
      case 'heal':
        return world.heal(rng.pick(cut));
      case 'scs-crash':
        await world.crashScs();
        return this.invariants.checkJournalDurable();
      case 'scs-restart':
        await world.startScs();
        return this.invariants.checkJournalRecovered();
      case 'slow-ack':
        return world.slowAcks(any(live), rng.int(100, MAX_SLOW_ACK_MS), rng.int(1000, 15_000));
      case 'cs-peer-up':
        return world.claimPeerUp(any(configServers), rng.int(500, 10_000));
    }
  }
}

/** Runs schedule `seed`; never throws for a violation (it is in the result). */
export async function runSchedule(seed: number, options: ScheduleOptions): Promise<ScheduleResult> {
  const started = performance.now();
  const run = new ChaosRun(seed, options);
  // The faults draw from their own generator: a change in how often the code under test draws
  // (backoff jitter) does not change which faults a seed injects.
  const faults = new Prng(seed);
  const scheduler = new Scheduler(run.world, run.invariants, faults);
  return drive(run, faults, () => scheduler.step(), scheduler.counts, options, started);
}

/**
 * Drives one run: `step` injects a fault, then a random slice of time passes, `options.steps`
 * times; then the faults stop and the solution must converge. Never throws for a violation.
 */
export async function drive<W extends RunWorld, I extends RunInvariants>(
  run: FakeClockRun<W, I>, faults: Prng, step: () => Promise<void>, counts: Readonly<Record<string, number>>,
  options: ScheduleOptions, started: number,
): Promise<ScheduleResult> {
  let steps = 0;
  let simulatedMs = 0;
  try {
    await run.start();
    for (; steps < options.steps && run.ok; steps++) {
      await watched(`step ${steps}`, step());
      await run.advance(faults.int(STEP_MS.min, STEP_MS.max));
    }
    if (run.ok) await run.converge();
  } catch (error) {
    run.invariants.fail(`the harness threw: ${(error as Error).stack ?? String(error)}`);
  } finally {
    simulatedMs = Date.now();
    await run.finish();
  }
  return {
    seed: run.seed,
    steps,
    violations: run.violations,
    trace: run.world.trace.slice(-(options.traceLines ?? 60)),
    faults: counts,
    ...(run.invariants.notes ? { notes: run.invariants.notes } : {}),
    simulatedMs,
    realMs: Math.round(performance.now() - started),
  };
}
