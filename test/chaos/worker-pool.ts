// Runs chaos schedules in worker threads (one per core, at most CHAOS_WORKERS) for the chaos
// suites, with the parent's livelock watchdog, and formats a failed schedule with the one
// command that replays it. Used by suite.ts for chaos.test.ts (one SCS) and scs-pair-chaos.test.ts.

import { Worker } from 'node:worker_threads';
import { tsxWorkerBoot } from '../support/tsx-worker.js';
import type { ScheduleResult, WorkerMessage } from './schedule.js';

/** Which schedules a worker runs: schedule.ts (one SCS) or pair-schedule.ts (the SCS pair). */
export type SuiteName = 'single' | 'pair';

export function envNumber(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${name} must be a whole number (got "${value}")`);
  return parsed;
}

export function report(result: ScheduleResult, replay: (seed: number) => string): string {
  return [
    `seed ${result.seed} failed after ${result.steps} steps (${result.simulatedMs} ms simulated):`,
    ...result.violations.map((v) => `  ${v}`),
    `  replay: ${replay(result.seed)}`,
    '  last actions:',
    ...result.trace.map((line) => `    ${line}`),
  ].join('\n');
}

/** Workers still running: terminated by terminateWorkers(), so that a timeout cannot leave them behind. */
const running = new Set<Worker>();

export async function terminateWorkers(): Promise<void> {
  await Promise.all([...running].map((worker) => worker.terminate()));
}

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

interface Job {
  readonly boot: string;
  readonly suite: SuiteName;
  readonly steps: number;
}

/** Runs `seeds` in one worker thread; a livelocked schedule is reported and the rest go on in a new worker. */
function inWorker(job: Job, seeds: number[]): Promise<ScheduleResult[]> {
  if (seeds.length === 0) return Promise.resolve([]);
  return new Promise<ScheduleResult[]>((resolve, reject) => {
    const results: ScheduleResult[] = [];
    const worker = new Worker(job.boot, { eval: true, workerData: { seeds, steps: job.steps, suite: job.suite } });
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
        inWorker(job, rest).then((more) => resolve([...results, livelocked(message.seed), ...more]), reject);
      }), SCHEDULE_REAL_MS);
    });
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => {
      if (code === 0 && results.length === seeds.length) resolve(results);
      else reject(new Error(`chaos worker exited with code ${code} after ${results.length} of ${seeds.length} schedules (in seed ${current})`));
    }));
  });
}

/** Runs the `suite` schedules `seeds` of `steps` steps in `count` worker threads; resolves with every result, by seed. */
export function inWorkers(suite: SuiteName, seeds: number[], steps: number, count: number): Promise<ScheduleResult[]> {
  const boot = tsxWorkerBoot(new URL('./worker.ts', import.meta.url).href);
  const shares = Array.from({ length: count }, (_, i) => seeds.filter((_, j) => j % count === i));
  return Promise.all(shares.map((share) => inWorker({ boot, suite, steps }, share))).then((all) => all.flat().sort((a, b) => a.seed - b.seed));
}
