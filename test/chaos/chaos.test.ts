// The chaos suite: CHAOS_RUNS seeded schedules (default 500) of CHAOS_STEPS steps (default 200)
// against the real SCS and LCA logic, on fake timers, spread over worker threads (one per core,
// at most 2). A failure names its seed and the one command that replays it; CHAOS_SEED runs that
// one schedule here, in this process (CHAOS_LOG=debug adds the daemons' logs).

import { availableParallelism } from 'node:os';
import { expect } from 'chai';
import { type ScheduleResult, runSchedule } from './schedule.js';
import { envNumber as env, inWorkers, report as reportOf, terminateWorkers } from './worker-pool.js';

const RUNS = env('CHAOS_RUNS', 500);
const STEPS = env('CHAOS_STEPS', 200);
const FIRST_SEED = env('CHAOS_FIRST_SEED', 1);
const SEED = process.env.CHAOS_SEED;
const WORKERS = Math.max(1, Math.min(env('CHAOS_WORKERS', 2), availableParallelism()));
const LOG = process.env.CHAOS_LOG;

function replay(seed: number): string {
  const steps = STEPS === 200 ? '' : `CHAOS_STEPS=${STEPS} `;
  return `CHAOS_SEED=${seed} ${steps}npx mocha --config test/.mocharc.json test/chaos/chaos.test.ts`;
}

const report = (result: ScheduleResult): string => reportOf(result, replay);

describe('chaos: seeded fault schedules against the real SCS and LCA, on fake timers', function () {
  // The budget is 2 minutes on 2 cores; past 4 the run has a problem worth failing for.
  this.timeout(240_000);
  after(terminateWorkers);

  if (SEED !== undefined) {
    it(`keeps every invariant in schedule ${SEED} (${STEPS} steps)`, async () => {
      const result = await runSchedule(Number(SEED), { steps: STEPS, traceLines: 400, ...(LOG ? { logLevel: LOG as 'debug' } : {}) });
      if (result.violations.length > 0) expect.fail(report(result));
      console.log(`      seed ${SEED}: ${result.steps} steps, ${result.simulatedMs} ms simulated in ${result.realMs} ms; faults ${JSON.stringify(result.faults)}`);
    });
    return;
  }

  it(`keeps every invariant over ${RUNS} schedules of ${STEPS} steps`, async () => {
    const started = performance.now();
    const seeds = Array.from({ length: RUNS }, (_, i) => FIRST_SEED + i);
    const results = await inWorkers('single', seeds, STEPS, WORKERS);
    const failed = results.filter((r) => r.violations.length > 0);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const simulated = Math.round(results.reduce((sum, r) => sum + r.simulatedMs, 0) / 1000);
    console.log(`      ${results.length} schedules × ${STEPS} steps in ${seconds} s on ${WORKERS} worker(s); ${simulated} s simulated`);
    if (failed.length > 0) {
      expect.fail(`${failed.length} of ${results.length} schedules broke an invariant:\n\n${failed.slice(0, 5).map(report).join('\n\n')}` +
        (failed.length > 5 ? `\n\n... and seeds ${failed.slice(5).map((r) => r.seed).join(', ')}` : ''));
    }
  });
});
