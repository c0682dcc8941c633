// Hang detection against the application's ADDP timeout T: one real `mlayer lca`, the benchmark
// playing its SCS (bench/lca/agent-session.ts). For T = 0.5, 1 and 3 s, a demo application is
// started with that timeout, left idle for a random part of a poll period, then SIGSTOPped; the
// run is timed from the SIGSTOP to the LCA's `hung` report on the SCS link. The LCA declares a
// hang T after the last byte it received, and the last byte (a poll or its ack, every T/3 of
// silence) may precede the stop by up to T/3: detection lies between 2T/3 and T plus the check's
// own delay, so it can be shorter than T. The target: detection − T ≤ T/3.

import os from 'node:os';
import { freePort } from '../test/support/daemons.js';
import { type AgentSession, LCA_LOG_LEVEL, withAgentSession } from './lca/agent-session.js';
import { type HangTiming, hangOnce } from './hang/sigstop-run.js';
import type { Measurement, Suite } from './lib/measurement.js';
import { summarize } from './lib/stats.js';

const TIMEOUTS_S = [0.5, 1, 3] as const;
/** Runs per T (after one warm-up): more where a run is cheap. */
const RUNS: Readonly<Record<(typeof TIMEOUTS_S)[number], number>> = { 0.5: 10, 1: 8, 3: 5 };
const WARMUP = 1;

type Progress = (message: string) => void;

async function collect(session: AgentSession, timeoutS: number, runs: number, progress: Progress): Promise<HangTiming[]> {
  const timings: HangTiming[] = [];
  const app = `hang-t${Math.round(timeoutS * 1000)}`;
  progress(`T = ${timeoutS} s: ${WARMUP + runs} SIGSTOPs (first ${WARMUP} warm-up)`);
  for (let i = 0; i < WARMUP + runs; i += 1) {
    const timing = await hangOnce(session, app, await freePort(), timeoutS * 1000);
    if (i >= WARMUP) timings.push(timing);
  }
  return timings;
}

function rows(timeoutS: number, timings: readonly HangTiming[]): Measurement[] {
  const tMs = timeoutS * 1000;
  const detection = summarize(timings.map((t) => t.detected));
  const over = summarize(timings.map((t) => t.detected - tMs));
  const target = { of: 'value', op: '<=', threshold: Number((tMs / 3).toFixed(1)) } as const;
  const killed = timings.filter((t) => t.leftStopped).length;
  const label = `T = ${timeoutS} s`;
  return [
    {
      name: `${label}: SIGSTOP → hung report p50`,
      value: detection.p50,
      unit: 'ms',
      distribution: detection,
      note: `${timings.length} runs (after ${WARMUP} warm-up); min ${detection.min.toFixed(0)} ms, max ${detection.max.toFixed(0)} ms; `
        + `each stop came 100 ms + a random 0–T/3 after the app reported started; hung processes the LCA had not killed: ${killed}`,
    },
    { name: `${label}: SIGSTOP → hung report max`, value: detection.max, unit: 'ms', distribution: detection },
    { name: `${label}: detection − T p50`, value: over.p50, unit: 'ms', distribution: over, target },
    {
      name: `${label}: detection − T max`,
      value: over.max,
      unit: 'ms',
      distribution: over,
      target,
      note: `negative = declared before T had passed since the stop (the last byte preceded it); min ${over.min.toFixed(0)} ms`,
    },
  ];
}

export const suite: Suite = {
  name: 'hang-vs-timeout',
  description: 'SIGSTOP of an application under a real LCA → its hung report, for ADDP timeouts T = 0.5, 1, 3 s (target: detection − T ≤ T/3)',
  async run({ progress }) {
    const loadBefore = os.loadavg()[0] ?? NaN;
    const results = await withAgentSession(async (session) => {
      const all: Array<{ timeoutS: number; timings: HangTiming[] }> = [];
      for (const timeoutS of TIMEOUTS_S) all.push({ timeoutS, timings: await collect(session, timeoutS, RUNS[timeoutS], progress) });
      return all;
    });
    const measurements = results.flatMap(({ timeoutS, timings }) => rows(timeoutS, timings));
    const first = measurements[0];
    if (first !== undefined) {
      measurements[0] = {
        ...first,
        note: `${first.note ?? ''}; LCA at --log-level ${LCA_LOG_LEVEL}; 1-min load average ${loadBefore.toFixed(2)} → ${(os.loadavg()[0] ?? NaN).toFixed(2)} on ${os.availableParallelism()} cores`,
      };
    }
    return measurements;
  },
};
