// One run of the chaos harness: a fresh sinon fake clock (installed before anything is built),
// Math.random replaced by a seeded generator, the simulated world and its invariants; time moves
// only through advance(), which checks the invariants after every slice. finish() stops
// everything, checks that no timer was left behind, and restores the real clock.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { CHECK_MS, Invariants } from './invariants.js';
import { Prng } from './prng.js';
import { World } from './world.js';

export const FAKED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] as const;

/** Real time, captured before any fake clock: the watchdog for awaits that never settle. */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const STUCK_MS = 10_000;

/**
 * Time given to the solution to settle once faults stop (restart and reconnect backoffs cap at
 * 5 s, the start window is 3 s, a re-adopted application has 10 s to come back). It has
 * converged once it has looked converged for STABLE_MS without a break.
 */
export const CONVERGE_MS = 60_000;
export const STABLE_MS = 10_000;

/** Awaits `work`, or fails if it does not settle within STUCK_MS of real time (a deadlock). */
export async function watched<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(`${what} did not finish within ${STUCK_MS / 1000} s of real time (a deadlock)`)), STUCK_MS);
  });
  try {
    return await Promise.race([work, stuck]);
  } finally {
    realClearTimeout(timer);
  }
}

export interface RunOptions {
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

/** What a run drives: a simulated world (world.ts, pair-world.ts)... */
export interface RunWorld {
  readonly trace: readonly string[];
  start(): Promise<void>;
  /** Faults stop: heal, unhang, restart what is down. */
  calm(): Promise<void>;
  stop(tick: (ms: number) => Promise<unknown>): Promise<void>;
  refreshFacts(): void;
}

/** ...and what it checks (invariants.ts, pair-invariants.ts). */
export interface RunInvariants {
  readonly violations: readonly string[];
  fail(message: string): void;
  check(): void;
  /** What still keeps the solution from having converged (nothing, once it has). */
  divergence(): string[];
  converged(): void;
  checkJournalRecovered(): Promise<void>;
  /** Once converged: what else must have caught up by then (the backup SCS's journal). */
  checkCaughtUp?(): Promise<void>;
  /** Known limitations met (not violations), counted for the report. */
  readonly notes?: Readonly<Record<string, number>>;
}

export interface RunEnvironment {
  readonly seed: number;
  readonly jitter: Prng;
  readonly logDir: string;
  readonly options: RunOptions;
}

/** One run on its own fake clock, of any world; ChaosRun is the single-SCS one. */
export class FakeClockRun<W extends RunWorld, I extends RunInvariants> {
  readonly clock: sinon.SinonFakeTimers;
  readonly world: W;
  readonly invariants: I;
  /** Randomness for the code under test (backoff jitter), apart from the scheduler's. */
  readonly jitter: Prng;
  private readonly random: sinon.SinonStub;
  private readonly logDir: string;

  constructor(readonly seed: number, options: RunOptions, build: (env: RunEnvironment) => { world: W; invariants: I }) {
    this.logDir = mkdtempSync(join(tmpdir(), 'mlayer-chaos-'));
    this.clock = sinon.useFakeTimers({ toFake: [...FAKED] });
    this.jitter = new Prng(seed ^ 0x5bd1e995);
    this.random = sinon.stub(Math, 'random').callsFake(this.jitter.random);
    const built = build({ seed, jitter: this.jitter, logDir: this.logDir, options });
    this.world = built.world;
    this.invariants = built.invariants;
  }

  get violations(): readonly string[] {
    return this.invariants.violations;
  }

  get ok(): boolean {
    return this.invariants.violations.length === 0;
  }

  async start(): Promise<void> {
    await watched('starting the world', this.world.start());
  }

  /** Lets `ms` of simulated time pass, checking the invariants every CHECK_MS. */
  async advance(ms: number): Promise<void> {
    for (let left = ms; left > 0 && this.ok; left -= CHECK_MS) {
      await watched('simulated time', this.clock.tickAsync(Math.min(CHECK_MS, left)));
      this.world.refreshFacts();
      this.invariants.check();
    }
  }

  /** Advances until `done()` holds (checked every CHECK_MS); false if `limitMs` passed first. */
  async until(done: () => boolean, limitMs: number): Promise<boolean> {
    for (let waited = 0; waited <= limitMs && this.ok; waited += CHECK_MS) {
      if (done()) return true;
      await this.advance(CHECK_MS);
    }
    return false;
  }

  /** Faults stop; time runs until the solution has converged (or CONVERGE_MS); then it must have. */
  async converge(): Promise<void> {
    await watched('stopping the faults', this.world.calm());
    await this.invariants.checkJournalRecovered();
    let stableSince: number | undefined;
    for (let waited = 0; waited < CONVERGE_MS && this.ok; waited += 1000) {
      await this.advance(1000);
      if (this.invariants.divergence().length > 0) stableSince = undefined;
      else stableSince ??= Date.now();
      if (stableSince !== undefined && Date.now() - stableSince >= STABLE_MS) break;
    }
    if (this.ok) this.invariants.converged();
    if (this.ok) await this.invariants.checkCaughtUp?.();
  }

  /** Stops everything, checks that no timer is left, restores the real clock. Never throws. */
  async finish(): Promise<void> {
    try {
      await watched('stopping the world', this.world.stop((ms) => this.clock.tickAsync(ms)));
      const left = this.clock.countTimers();
      if (left > 0) this.invariants.fail(`${left} timers left after everything stopped`);
    } catch (error) {
      this.invariants.fail(`stopping the world failed: ${(error as Error).message}`);
    } finally {
      this.clock.restore();
      this.random.restore();
      rmSync(this.logDir, { recursive: true, force: true });
    }
  }
}

export class ChaosRun extends FakeClockRun<World, Invariants> {
  constructor(seed: number, options: RunOptions = {}) {
    super(seed, options, ({ jitter, logDir }) => {
      const world = new World({ rng: jitter, logDir, ...(options.logLevel ? { logLevel: options.logLevel } : {}) });
      return { world, invariants: new Invariants(world) };
    });
  }
}
