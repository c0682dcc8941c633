// The mocha side shared by the chaos suites: the settings from the environment, the run of many
// seeded schedules in worker threads (or of one seed, CHAOS_SEED, in this process), the report of
// a failed schedule with its one-line replay, and the check that a seed replays exactly.

import { availableParallelism } from 'node:os';
import { expect } from 'chai';
import type { ScheduleOptions, ScheduleResult } from './schedule.js';
import { type SuiteName, envNumber, inWorkers, report, terminateWorkers } from './worker-pool.js';

export interface ChaosSuite {
  /** The describe() title. */
  readonly title: string;
  readonly suite: SuiteName;
  /** This test file, for the replay command. */
  readonly file: string;
  /** The environment variable with the number of schedules, and its default. */
  readonly runs: { readonly env: string; readonly fallback: number };
  readonly timeoutMs: number;
  /** Runs one schedule here (CHAOS_SEED). */
  run(seed: number, options: ScheduleOptions): Promise<ScheduleResult>;
  /** Lines added to the summary, from every result (e.g. known limitations). */
  summary?(results: readonly ScheduleResult[]): string[];
}

export function chaosSuite(spec: ChaosSuite): void {
  const runs = envNumber(spec.runs.env, spec.runs.fallback);
  const steps = envNumber('CHAOS_STEPS', 200);
  const firstSeed = envNumber('CHAOS_FIRST_SEED', 1);
  const seed = process.env.CHAOS_SEED;
  const workers = Math.max(1, Math.min(envNumber('CHAOS_WORKERS', 2), availableParallelism()));
  const log = process.env.CHAOS_LOG;
  const replay = (s: number) => `CHAOS_SEED=${s} ${steps === 200 ? '' : `CHAOS_STEPS=${steps} `}npx mocha --config test/.mocharc.json ${spec.file}`;
  const failure = (result: ScheduleResult) => report(result, replay);

  describe(spec.title, function () {
    this.timeout(spec.timeoutMs);
    after(terminateWorkers);

    if (seed !== undefined) {
      it(`keeps every invariant in schedule ${seed} (${steps} steps)`, async () => {
        const result = await spec.run(Number(seed), { steps, traceLines: 400, ...(log ? { logLevel: log as 'debug' } : {}) });
        if (result.violations.length > 0) expect.fail(failure(result));
        console.log(`      seed ${seed}: ${result.steps} steps, ${result.simulatedMs} ms simulated in ${result.realMs} ms; ` +
          `faults ${JSON.stringify(result.faults)}${result.notes ? `; notes ${JSON.stringify(result.notes)}` : ''}`);
      });
      return;
    }

    it(`keeps every invariant over ${runs} schedules of ${steps} steps`, async () => {
      const started = performance.now();
      const seeds = Array.from({ length: runs }, (_, i) => firstSeed + i);
      const results = await inWorkers(spec.suite, seeds, steps, workers);
      const failed = results.filter((r) => r.violations.length > 0);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const simulated = Math.round(results.reduce((sum, r) => sum + r.simulatedMs, 0) / 1000);
      console.log(`      ${results.length} schedules × ${steps} steps in ${seconds} s on ${workers} worker(s); ${simulated} s simulated`);
      for (const line of spec.summary?.(results) ?? []) console.log(`      ${line}`);
      if (failed.length > 0) {
        expect.fail(`${failed.length} of ${results.length} schedules broke an invariant:\n\n${failed.slice(0, 5).map(failure).join('\n\n')}` +
          (failed.length > 5 ? `\n\n... and seeds ${failed.slice(5).map((r) => r.seed).join(', ')}` : ''));
      }
    });
  });
}

/** Runs seed 7 twice for 60 steps: the same faults, the same events, the same outcome. */
export async function expectExactReplay(run: (seed: number, options: ScheduleOptions) => Promise<ScheduleResult>): Promise<void> {
  const first = await run(7, { steps: 60, traceLines: 400 });
  const second = await run(7, { steps: 60, traceLines: 400 });
  expect(first.violations).to.deep.equal([]);
  expect(second.trace).to.deep.equal(first.trace);
  expect(second.faults).to.deep.equal(first.faults);
  expect(second.simulatedMs).to.equal(first.simulatedMs);
}
