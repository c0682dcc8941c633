// A worker thread of the chaos suite: runs the seeds it is given, one after the other, each on
// its own fake clock, and posts when each starts (the parent's watchdog for livelocks) and
// every result.

import { parentPort, workerData } from 'node:worker_threads';
import { type WorkerMessage, runSchedule } from './schedule.js';

const { seeds, steps } = workerData as { seeds: number[]; steps: number };
const post = (message: WorkerMessage) => parentPort?.postMessage(message);
for (const seed of seeds) {
  post({ type: 'start', seed });
  post({ type: 'result', result: await runSchedule(seed, { steps }) });
}
