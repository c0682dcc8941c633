// One seeded schedule: at every step, inject a random fault that makes sense now (or none), then
// let a random slice of time pass while the invariants are checked; after the last step, stop
// the faults and require convergence. The same seed always gives the same run.

import { ChaosRun, type FakeClockRun, type RunInvariants, type RunOptions, type RunWorld, watched } from './harness.js';
import { MAX_SLOW_ACK_MS } from './invariants.js';
import { Prng } from './prng.js';
import type { SimProcess } from './sim-host.js';
import { APPS, HOSTS, type HostName } from './solution.js';
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

/** The application and LCA faults both suites inject. */
export type HostFault = 'app-crash' | 'app-hang' | 'app-restart' | 'app-unavailable' | 'app-available' | 'lca-crash' | 'lca-restart' | 'slow-ack';

/** What the application and LCA faults can act on now, and how each is injected. */
export class HostFaults {
  readonly live: SimProcess[];
  private readonly started: SimProcess[];
  private readonly unavailable: SimProcess[];
  private readonly lcasUp: HostName[];
  private readonly lcasDown: HostName[];

  /** `operator`: an SCS is there to take an operator's restart. */
  constructor(private readonly world: World, private readonly rng: Prng, private readonly operator: boolean) {
    this.live = world.allProcesses().filter((p) => !p.hung);
    this.started = this.live.filter((p) => p.status === 'started');
    this.unavailable = this.live.filter((p) => p.status === 'service-unavailable');
    this.lcasUp = HOSTS.filter((h) => world.lcaUp(h));
    this.lcasDown = HOSTS.filter((h) => !world.lcaUp(h));
  }

  possible(): Record<HostFault, boolean> {
    return {
      'app-crash': this.live.length > 0,
      'app-hang': this.live.length > 0,
      'app-restart': this.operator,
      'app-unavailable': this.started.length > 0,
      'app-available': this.unavailable.length > 0,
      'lca-crash': this.lcasUp.length > 0,
      'lca-restart': this.lcasDown.length > 0,
      'slow-ack': this.live.length > 0,
    };
  }

  inject(fault: HostFault): void | Promise<void> {
    const { world, rng } = this;
    switch (fault) {
      case 'app-crash':
        return world.crashApp(rng.pick(this.live));
      case 'app-hang':
        return world.hangApp(rng.pick(this.live), rng.int(300, 6000));
      case 'app-restart':
        return world.operatorRestart(rng.pick(APPS).name);
      case 'app-unavailable':
        return world.serviceUnavailable(rng.pick(this.started), true);
      case 'app-available':
        return world.serviceUnavailable(rng.pick(this.unavailable), false);
      case 'lca-crash':
        return world.crashLca(rng.pick(this.lcasUp));
      case 'lca-restart':
        return world.startLca(rng.pick(this.lcasDown));
      case 'slow-ack':
        return world.slowAcks(rng.pick(this.live), rng.int(100, MAX_SLOW_ACK_MS), rng.int(1000, 15_000));
    }
  }
}

/** Draws one of the faults that are possible now, by weight, and counts it. */
export function drawFault<F extends string>(weights: Readonly<Record<F, number>>, possible: Readonly<Record<F, boolean>>, rng: Prng, counts: Record<string, number>): F {
  const now = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, possible[k as F] ? w : 0])) as Record<F, number>;
  const fault = rng.weighted(now);
  counts[fault] = (counts[fault] ?? 0) + 1;
  return fault;
}

export class Scheduler {
  readonly counts: Record<string, number> = {};

  constructor(private readonly world: World, private readonly invariants: Invariants, private readonly rng: Prng) {}

  /** Picks and injects one fault that makes sense now (a restart only of what is down, ...). */
  async step(): Promise<void> {
    const { world, rng } = this;
    const host = new HostFaults(world, rng, world.scs !== undefined);
    const cut = HOSTS.filter((h) => !world.linked(h));
    const configServers = host.live.filter((p) => world.def(p.name).kind === 'config-server');
    const fault = drawFault(FAULTS, {
      idle: true,
      ...host.possible(),
      'host-loss': cut.length < HOSTS.length,
      partition: true,
      heal: cut.length > 0,
      'scs-crash': world.scs !== undefined,
      'scs-restart': world.scs === undefined,
      'cs-peer-up': configServers.length > 0,
    }, rng, this.counts);
    switch (fault) {
      case 'idle':
        return;
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
      case 'cs-peer-up':
        return world.claimPeerUp(rng.pick(configServers), rng.int(500, 10_000));
      default:
        return host.inject(fault);
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
