// One seeded schedule against the SCS pair: at every step, a random fault that makes sense now
// (an SCS crash or restart, a cut of the direct SCS link, of an SCS's link to the other host's
// LCA or of everything between the two hosts, one way or both, a heal, or the application and
// LCA faults of schedule.ts), then a random slice of time with the invariants checked; after the
// last step the faults stop and the solution must converge. The same seed gives the same run.

import { FakeClockRun, type RunOptions } from './harness.js';
import { PairInvariants } from './pair-invariants.js';
import { SCS_IDS, pairTiming } from './pair-solution.js';
import { type CutKind, PairWorld } from './pair-world.js';
import { Prng } from './prng.js';
import { HostFaults, type ScheduleOptions, type ScheduleResult, drawFault, drive } from './schedule.js';
import { HOSTS } from './solution.js';

/** How likely each fault is at a step (faults that make no sense now are left out). */
const FAULTS = {
  idle: 30,
  'app-crash': 6,
  'app-hang': 4,
  'app-restart': 2,
  'app-unavailable': 3,
  'app-available': 6,
  'lca-crash': 3,
  'lca-restart': 12,
  'scs-crash': 4,
  'scs-restart': 12,
  'cut-direct': 5,
  'cut-scs-lca': 3,
  'cut-hosts': 3,
  heal: 10,
  'slow-ack': 3,
} as const;
type Fault = keyof typeof FAULTS;

export class PairRun extends FakeClockRun<PairWorld, PairInvariants> {
  constructor(seed: number, options: RunOptions = {}) {
    super(seed, options, ({ jitter, logDir }) => {
      const timing = pairTiming(seed);
      const world = new PairWorld({ rng: jitter, logDir, timing, ...(options.logLevel ? { logLevel: options.logLevel } : {}) });
      return { world, invariants: new PairInvariants(world, timing) };
    });
  }
}

export class PairScheduler {
  readonly counts: Record<string, number> = {};

  constructor(private readonly world: PairWorld, private readonly rng: Prng) {}

  async step(): Promise<void> {
    const { world, rng } = this;
    const host = new HostFaults(world, rng, world.actingPrimary() !== undefined);
    const scsUp = SCS_IDS.filter((id) => world.scsUp(id));
    const scsDown = SCS_IDS.filter((id) => !world.scsUp(id));
    const cuts = [...world.cuts.keys()];
    const fault = drawFault(FAULTS, {
      idle: true,
      ...host.possible(),
      'scs-crash': scsUp.length > 0,
      'scs-restart': scsDown.length > 0,
      'cut-direct': true,
      'cut-scs-lca': true,
      'cut-hosts': true,
      heal: cuts.length > 0,
    }, rng, this.counts);
    switch (fault) {
      case 'idle':
        return;
      case 'scs-crash':
        return world.crashScs(rng.pick(scsUp));
      case 'scs-restart':
        return world.startScs(rng.pick(scsDown));
      case 'cut-direct':
        return this.cut('direct');
      case 'cut-scs-lca':
        return this.cut('scs-lca');
      case 'cut-hosts':
        return this.cut('hosts');
      case 'heal':
        return world.healCut(rng.pick(cuts));
      default:
        return host.inject(fault);
    }
  }

  /** One way (either) or both ways. */
  private cut(kind: CutKind): void {
    const { world, rng } = this;
    const [from, to] = rng.chance(0.5) ? HOSTS : [HOSTS[1], HOSTS[0]];
    const direction = rng.pick(['forth', 'back', 'both'] as const);
    if (direction !== 'back') world.cut(kind, from, to);
    if (direction !== 'forth') world.cut(kind, kind === 'scs-lca' ? from : to, kind === 'scs-lca' ? to : from, kind === 'scs-lca');
  }
}

/** Runs pair schedule `seed`; never throws for a violation (it is in the result). */
export async function runPairSchedule(seed: number, options: ScheduleOptions): Promise<ScheduleResult> {
  const started = performance.now();
  const run = new PairRun(seed, options);
  const faults = new Prng(seed);
  const scheduler = new PairScheduler(run.world, faults);
  return drive(run, faults, () => scheduler.step(), scheduler.counts, options, started);
}
