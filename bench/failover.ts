// The end-to-end failover suite: one real solution (two `mlayer lca`, one `mlayer scs`, a
// warm-standby pair of demo applications), and three faults of the primary, each timed from the
// fault to the backup's own WATCH line `role primary`:
//   kill -9             against a bare TCP socket to the killed primary (the physical limit);
//   SERVICE unavailable the primary's own report; the SCS demotes it before it promotes;
//   kill -STOP          a hang, seen only by the app ↔ LCA keep-alive with timeout T.
// After each fault the failed member comes back as backup, so the primary alternates.
//
// MLAYER_BENCH_SCS_NODE_ARGS / MLAYER_BENCH_LCA_NODE_ARGS add Node flags to the daemons (e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof"; they are then stopped with SIGTERM so that they write
// the profile). MLAYER_BENCH_FAILOVER_QUICK=1 runs a tenth of the runs, for trying things out.

import os from 'node:os';
import { type CrashTiming, crashRun } from './failover/crash.js';
import { type HangTiming, hangRun } from './failover/hang.js';
import { type SettledPair, waitForSettledPair } from './failover/pair.js';
import { QUIET_MS, SETTLE_TIMEOUT_MS } from './failover/runs.js';
import { type UnavailableTiming, unavailableRun } from './failover/service-unavailable.js';
import { CRASH_FAILOVER_SETTINGS, type FailoverSettings, type FailoverSolution, withFailoverSolution } from './failover/solution.js';
import type { Measurement, Suite } from './lib/measurement.js';
import { type Distribution, summarize } from './lib/stats.js';

const QUICK = process.env.MLAYER_BENCH_FAILOVER_QUICK === '1';
const runs = (n: number) => (QUICK ? Math.max(2, Math.ceil(n / 10)) : n);
const RUNS = { crash: runs(100), unavailable: runs(30), hang: runs(10) };
const WARMUP = { crash: 5, unavailable: 3, hang: 1 };

const nodeArgs = (name: string) => (process.env[name] ?? '').split(/\s+/).filter((arg) => arg !== '');
const SETTINGS: FailoverSettings = {
  ...CRASH_FAILOVER_SETTINGS,
  scsNodeArgs: nodeArgs('MLAYER_BENCH_SCS_NODE_ARGS'),
  lcaNodeArgs: nodeArgs('MLAYER_BENCH_LCA_NODE_ARGS'),
};
const T_MS = SETTINGS.appAddpTimeout * 1000;
const HANG_TARGET_MS = T_MS + 200;
const BARE_SOURCE = "kill -9 → first event ('end'/'error'/'close') on a bare TCP socket from this process to the killed primary's line port, same run";

type Progress = (message: string) => void;

interface Samples {
  readonly crash: CrashTiming[];
  readonly unavailable: UnavailableTiming[];
  readonly hang: HangTiming[];
  /** The SCS's own `ms` of each switchover-completed (its detection → the new primary's ack), by reason. */
  readonly scsMs: ReadonlyMap<string, number[]>;
  readonly load: readonly [before: number, after: number];
}

async function repeat<T>(label: string, warmup: number, count: number, progress: Progress, pair: SettledPair,
  run: (pair: SettledPair) => Promise<{ timing: T; next: SettledPair }>): Promise<{ timings: T[]; pair: SettledPair }> {
  const timings: T[] = [];
  const total = warmup + count;
  for (let i = 0; i < total; i += 1) {
    if (i % 20 === 0) progress(`${label} ${i + 1}-${Math.min(i + 20, total)} of ${total} (first ${warmup} are warm-up)`);
    const { timing, next } = await run(pair);
    if (i >= warmup) timings.push(timing);
    pair = next;
  }
  return { timings, pair };
}

async function switchoverMs(solution: FailoverSolution, sinceSeq: number): Promise<Map<string, number[]>> {
  const byReason = new Map<string, number[]>();
  for (const event of await solution.events(sinceSeq)) {
    if (event.type !== 'switchover-completed' || typeof event.ms !== 'number') continue;
    const reason = String(event.reason);
    byReason.set(reason, [...(byReason.get(reason) ?? []), event.ms]);
  }
  return byReason;
}

async function collect(progress: Progress): Promise<Samples> {
  const loadBefore = os.loadavg()[0] ?? NaN;
  return withFailoverSolution(SETTINGS, async (solution) => {
    progress('solution started; waiting for the pair to settle');
    const settled = await waitForSettledPair(solution, SETTLE_TIMEOUT_MS);
    const crash = await repeat('kill -9', WARMUP.crash, RUNS.crash, progress, settled, (p) => crashRun(solution, p));
    const unavailable = await repeat('SERVICE unavailable', WARMUP.unavailable, RUNS.unavailable, progress, crash.pair, (p) => unavailableRun(solution, p));
    const hang = await repeat('kill -STOP', WARMUP.hang, RUNS.hang, progress, unavailable.pair, (p) => hangRun(solution, p));
    return {
      crash: crash.timings,
      unavailable: unavailable.timings,
      hang: hang.timings,
      scsMs: await switchoverMs(solution, 0),
      load: [loadBefore, os.loadavg()[0] ?? NaN],
    };
  });
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

function row(name: string, which: 'p50' | 'p99', samples: Distribution, extra: Partial<Measurement> = {}): Measurement {
  return { name: `${name} ${which}`, value: samples[which], unit: 'ms', distribution: samples, ...extra };
}

function measurements({ crash, unavailable, hang, scsMs, load }: Samples): Measurement[] {
  const promoted = summarize(crash.map((c) => c.promoted));
  const bare = summarize(crash.map((c) => c.bare));
  const ratio = summarize(crash.map((c) => c.promoted / c.bare));
  const reprotected = summarize(crash.map((c) => c.reprotected));
  const limit = (which: 'p50' | 'p99') => ({ value: bare[which], source: BARE_SOURCE, distribution: bare });
  const scs = (reason: string) => {
    const samples = scsMs.get(reason) ?? [];
    if (samples.length === 0) return 'none journaled';
    const d = summarize(samples);
    return `p50 ${d.p50} ms, max ${d.max} ms (${d.count} switchovers, warm-up included)`;
  };
  const unavailablePromoted = summarize(unavailable.map((u) => u.promoted));
  const demoted = summarize(unavailable.map((u) => u.demoted));
  const hung = summarize(hang.map((h) => h.promoted));
  const leftStopped = hang.filter((h) => h.leftStopped).length;

  const crashNote = `${crash.length} kills (after ${WARMUP.crash} warm-up), primary alternating between the two hosts; `
    + `each run waits ${QUIET_MS} ms after the pair settled; per run, role primary ÷ bare close: p50 ${ratio.p50.toFixed(1)}×, p99 ${ratio.p99.toFixed(1)}×; `
    + `the SCS's own switchover time (its detection → the new primary's ack, journal \`ms\`): ${scs('process-failure')}; `
    + `daemons at --log-level ${SETTINGS.logLevel}; 1-min load average ${load[0].toFixed(2)} → ${load[1].toFixed(2)} on ${os.availableParallelism()} cores`;
  return [
    row('kill -9 → backup WATCH role primary', 'p50', promoted, { target: { of: 'value', op: '<=', threshold: 10 }, limit: limit('p50'), note: crashNote }),
    row('kill -9 → backup WATCH role primary', 'p99', promoted, { target: { of: 'value', op: '<=', threshold: 40 }, limit: limit('p99') }),
    {
      name: 'role primary ÷ bare close, per run p50',
      value: ratio.p50,
      unit: '×',
      distribution: ratio,
      note: 'the ratio of the two times of the same kill, then its percentiles (the table\'s ratio column divides the percentiles instead)',
    },
    { name: 'role primary ÷ bare close, per run p99', value: ratio.p99, unit: '×', distribution: ratio },
    row('kill -9 → killed member back as started backup', 'p50', reprotected, {
      note: `restart delay (backoff ${SETTINGS.restart.initialDelay}–${SETTINGS.restart.maxDelay} s, full jitter) + Node start + registration + role backup; API polled every 10 ms`,
    }),
    row('SERVICE unavailable → backup WATCH role primary', 'p50', unavailablePromoted, {
      note: `${unavailable.length} runs (after ${WARMUP.unavailable} warm-up), from writing the line to the primary; the SCS demotes it first `
        + `(its WATCH role backup: p50 ${ms(demoted.p50)}, p99 ${ms(demoted.p99)}); SCS switchover time ${scs('service-unavailable')}`,
    }),
    row('SERVICE unavailable → backup WATCH role primary', 'p99', unavailablePromoted),
    row('kill -STOP → backup WATCH role primary', 'p50', hung, {
      target: { of: 'value', op: '<=', threshold: HANG_TARGET_MS },
      note: `${hang.length} hangs (after ${WARMUP.hang} warm-up) with app ADDP timeout T = ${T_MS} ms (target T + 200 ms); the LCA polls after T/3 of silence, `
        + `so a hang is declared T after the last byte heard (2T/3 to T after the stop); SCS switchover time after the hung report ${scs('hang')}; `
        + `hung processes this benchmark had to kill itself: ${leftStopped}${hang.length < 100 ? '; with < 100 samples p99 is the maximum' : ''}`,
    }),
    row('kill -STOP → backup WATCH role primary', 'p99', hung, { target: { of: 'value', op: '<=', threshold: HANG_TARGET_MS } }),
  ];
}

export const suite: Suite = {
  name: 'failover',
  description: 'End to end: kill -9 / SERVICE unavailable / kill -STOP of the primary → the backup\'s WATCH line "role primary"',
  async run({ progress }) {
    return measurements(await collect(progress));
  },
};
