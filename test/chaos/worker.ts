// A worker thread of the chaos suite: runs the seeds it is given, one after the other, each on
// its own fake clock, and posts every result back.

import { parentPort, workerData } from 'node:worker_threads';
import { runSchedule } from './schedule.js';

const { seeds, steps } = workerData as { seeds: number[]; steps: number };
for (const seed of seeds) parentPort?.postMessage(await runSchedule(seed, { steps }));
