// The LCA benchmark suite: one real `mlayer lca`, the benchmark playing its SCS. Each run starts
// the same demo application again, times its reports up to `started`, then SIGKILLs it and
// times the LCA's `stopped` report against a bare TCP socket to the same process (the physical
// limit: the kernel closes that socket in the same exit). Between runs, the spawn → exit of the
// demo app's script without an LCA serves as the reference for start-up.

import os from 'node:os';
import { type AgentSession, LCA_LOG_LEVEL, withAgentSession } from './lca/agent-session.js';
import { type CycleTiming, runCycle } from './lca/crash-cycle.js';
import { NODE_STARTUP_SOURCE, timeDemoScriptStartup } from './lca/node-startup.js';
import { withChildProcesses } from './lib/child-processes.js';
import type { Measurement, Suite } from './lib/measurement.js';
import { type Distribution, summarize } from './lib/stats.js';

const APP = 'bench-app';
const WARMUP_RUNS = 5;
const RUNS = 100;
/** The start-up reference runs after every REFERENCE_EVERY-th run (it costs as much as a run). */
const REFERENCE_EVERY = 3;
const RATIO_TARGET = 1.5;
const BARE_SOURCE = "kill → first event ('end'/'error'/'close') on a bare TCP socket from this process to the killed app's line-protocol port";

interface Samples {
  readonly cycles: CycleTiming[];
  readonly startup: number[];
  /** 1-minute load average before and after: other work on the machine shows in the tails. */
  readonly load: readonly [before: number, after: number];
}

async function collect(session: AgentSession, progress: (message: string) => void): Promise<Samples> {
  const loadBefore = os.loadavg()[0] ?? NaN;
  return withChildProcesses(async (children) => {
    const cycles: CycleTiming[] = [];
    const startup: number[] = [];
    const total = WARMUP_RUNS + RUNS;
    for (let run = 0; run < total; run += 1) {
      if (run % 20 === 0) progress(`start/kill ${run + 1}-${Math.min(run + 20, total)} of ${total} (first ${WARMUP_RUNS} are warm-up)`);
      const cycle = await runCycle(session, APP);
      if (run < WARMUP_RUNS) continue;
      cycles.push(cycle);
      // The reference runs while the LCA is idle, between two runs, as the runs themselves start.
      if ((run - WARMUP_RUNS) % REFERENCE_EVERY === 0) startup.push(await timeDemoScriptStartup(children));
    }
    return { cycles, startup, load: [loadBefore, os.loadavg()[0] ?? NaN] };
  });
}

function crashRow(which: 'p50' | 'p99', lca: Distribution, bare: Distribution, note?: string): Measurement {
  return {
    name: `kill -9 → stopped report ${which}`,
    value: lca[which],
    unit: 'ms',
    target: { of: 'ratio', op: '<=', threshold: RATIO_TARGET },
    limit: { value: bare[which], source: BARE_SOURCE, distribution: bare },
    distribution: lca,
    ...(note === undefined ? {} : { note }),
  };
}

function startRow(name: string, which: 'p50' | 'p99', samples: Distribution, reference?: Distribution, note?: string): Measurement {
  return {
    name: `${name} ${which}`,
    value: samples[which],
    unit: 'ms',
    distribution: samples,
    ...(reference === undefined ? {} : { limit: { value: reference[which], source: NODE_STARTUP_SOURCE, distribution: reference } }),
    ...(note === undefined ? {} : { note }),
  };
}

function measurements({ cycles, startup, load }: Samples): Measurement[] {
  const of = (pick: (c: CycleTiming) => number) => summarize(cycles.map(pick));
  const stopped = of((c) => c.kill.stopped);
  const bare = of((c) => c.kill.bareFirst);
  const reaped = of((c) => c.kill.reaped);
  const lag = summarize(cycles.map((c) => (c.kill.stopped - c.kill.bareFirst) * 1000));
  const reasons = new Map<string, number>();
  for (const c of cycles) reasons.set(String(c.kill.reason), (reasons.get(String(c.kill.reason)) ?? 0) + 1);
  const reasonText = [...reasons].map(([reason, n]) => `${reason} ×${n}`).join(', ');
  const reference = summarize(startup);
  const started = of((c) => c.start.started);
  const initializing = of((c) => c.start.initializing);
  const pending = of((c) => c.start.pending);

  const crashNote = `${cycles.length} kills of the same app, restarted each run (after ${WARMUP_RUNS} warm-up); LCA at --log-level ${LCA_LOG_LEVEL}; `
    + `stopped because of: ${reasonText}; report − bare socket per kill: p50 ${lag.p50.toFixed(0)} µs, p99 ${lag.p99.toFixed(0)} µs. `
    + 'The app opened its LCA link before it accepted the bare socket, so its exit closes that link first (fd order, µs apart; '
    + 'the two ends are in different processes, so neither waits for the other\'s handler). '
    + `1-min load average ${load[0].toFixed(2)} → ${load[1].toFixed(2)} on ${os.availableParallelism()} cores`;
  return [
    crashRow('p50', stopped, bare, crashNote),
    crashRow('p99', stopped, bare),
    { name: 'kill -9 → reaped report p50', value: reaped.p50, unit: 'ms', distribution: reaped, note: 'the report carrying the exit signal, after the LCA saw the exit (SIGCHLD)' },
    startRow('start → started', 'p50', started, reference, `from sending \`start\` to the \`started\` report (Node start, SDK registration, listen); reference: ${startup.length} spawns between the runs (with < 100 samples its p99 is its maximum)`),
    startRow('start → started', 'p99', started, reference),
    startRow('start → initializing', 'p50', initializing, undefined, 'registration: the app\'s SDK completed its ADDP handshake with the LCA'),
    startRow('start → initializing', 'p99', initializing),
    startRow('start → start-pending', 'p50', pending, undefined, 'the LCA saved its state (fsync) and spawned the process'),
  ];
}

export const suite: Suite = {
  name: 'lca',
  description: 'LCA: kill -9 of an application → stopped report at the SCS vs bare TCP close; start → started latency',
  async run({ progress }) {
    const samples = await withAgentSession((session) => collect(session, progress));
    return measurements(samples);
  },
};
