// A worker thread of the chaos suites: runs the seeds it is given, one after the other, each on
// its own fake clock, and posts when each starts (the parent's watchdog for livelocks) and
// every result. `suite` picks the single-SCS schedules or the SCS-pair ones.

import { parentPort, workerData } from 'node:worker_threads';
import { runPairSchedule } from './pair-schedule.js';
import { type WorkerMessage, runSchedule } from './schedule.js';
import type { SuiteName } from './worker-pool.js';

const { seeds, steps, suite } = workerData as { seeds: number[]; steps: number; suite?: SuiteName };
const run = suite === 'pair' ? runPairSchedule : runSchedule;
const post = (message: WorkerMessage) => parentPort?.postMessage(message);
for (const seed of seeds) {
  post({ type: 'start', seed });
  post({ type: 'result', result: await run(seed, { steps }) });
}
