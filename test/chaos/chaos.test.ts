// The chaos suite: CHAOS_RUNS seeded schedules (default 500) of CHAOS_STEPS steps (default 200)
// against the real SCS and LCA logic, on fake timers, spread over worker threads (one per core,
// at most 2). A failure names its seed and the one command that replays it; CHAOS_SEED runs that
// one schedule here, in this process (CHAOS_LOG=debug adds the daemons' logs).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { type ScheduleResult, type WorkerMessage, runSchedule } from './schedule.js';

const env = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${name} must be a whole number (got "${value}")`);
  return parsed;
};

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

function report(result: ScheduleResult): string {
  return [
    `seed ${result.seed} failed after ${result.steps} steps (${result.simulatedMs} ms simulated):`,
    ...result.violations.map((v) => `  ${v}`),
    `  replay: ${replay(result.seed)}`,
    '  last actions:',
    ...result.trace.map((line) => `    ${line}`),
  ].join('\n');
}

/** tsx's ESM register API (its CommonJS build cannot register hooks from a worker). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const api = exports['./esm/api']?.import.default;
  if (api === undefined) throw new Error(`${manifest} has no ./esm/api export: the chaos workers need tsx >= 4`);
  return pathToFileURL(join(dirname(manifest), api)).href;
}

/** Workers still running: terminated after the suite, so that a timeout cannot leave them behind. */
const running = new Set<Worker>();

/**
 * Real time one schedule may take in a worker (about 1 s when idle). Past it the schedule is
 * livelocked: work that never lets the fake clock move (a loop of messages delivered on
 * process.nextTick) blocks the in-run watchdog too, so only the parent can see it.
 */
const SCHEDULE_REAL_MS = 30_000;

function livelocked(seed: number): ScheduleResult {
  return {
    seed, steps: 0, simulatedMs: 0, realMs: SCHEDULE_REAL_MS, faults: {}, trace: [],
    violations: [`did not finish within ${SCHEDULE_REAL_MS / 1000} s of real time: simulated time stopped moving (a livelock)`],
  };
}

/** Runs `seeds` in one worker thread; a livelocked schedule is reported and the rest go on in a new worker. */
function inWorker(boot: string, seeds: number[]): Promise<ScheduleResult[]> {
  if (seeds.length === 0) return Promise.resolve([]);
  return new Promise<ScheduleResult[]>((resolve, reject) => {
    const results: ScheduleResult[] = [];
    const worker = new Worker(boot, { eval: true, workerData: { seeds, steps: STEPS } });
    running.add(worker);
    let current: number | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    const settle = (then: () => void) => {
      clearTimeout(watchdog);
      worker.removeAllListeners();
      running.delete(worker);
      then();
    };
    worker.on('message', (message: WorkerMessage) => {
      clearTimeout(watchdog);
      if (message.type === 'result') {
        results.push(message.result);
        return;
      }
      current = message.seed;
      watchdog = setTimeout(() => settle(() => {
        void worker.terminate();
        const rest = seeds.slice(seeds.indexOf(message.seed) + 1);
        inWorker(boot, rest).then((more) => resolve([...results, livelocked(message.seed), ...more]), reject);
      }), SCHEDULE_REAL_MS);
    });
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => {
      if (code === 0 && results.length === seeds.length) resolve(results);
      else reject(new Error(`chaos worker exited with code ${code} after ${results.length} of ${seeds.length} schedules (in seed ${current})`));
    }));
  });
}

/** Runs `seeds` in `count` worker threads; resolves with every result. */
function inWorkers(seeds: number[], count: number): Promise<ScheduleResult[]> {
  const entry = new URL('./worker.ts', import.meta.url).href;
  const tsx = tsxEsmApi();
  // A worker does not inherit tsx's loader: register it there before importing the entry.
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const shares = Array.from({ length: count }, (_, i) => seeds.filter((_, j) => j % count === i));
  return Promise.all(shares.map((share) => inWorker(boot, share))).then((all) => all.flat().sort((a, b) => a.seed - b.seed));
}

describe('chaos: seeded fault schedules against the real SCS and LCA, on fake timers', function () {
  // The budget is 2 minutes on 2 cores; past 4 the run has a problem worth failing for.
  this.timeout(240_000);
  after(async () => {
    await Promise.all([...running].map((worker) => worker.terminate()));
  });

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
    const results = await inWorkers(seeds, WORKERS);
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
