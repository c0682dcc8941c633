// SCS takeover: a real SCS pair (two `mlayer scs`, two `mlayer lca`, a warm-standby pair of demo
// applications; scs.addp timeout 1 s). Each run fails the primary SCS and times the backup until
// it serves as primary, then starts the failed SCS again, which comes back as backup, so the
// primary alternates. The issue asks for kill -9, p50/p99 with ADDP timeout 1 s and the ratio to
// the timeout; the target judged here is timeout + 0.5 s = 1.5 s. A kill closes the peer link
// and the LCAs' sessions at once (the kernel sends FIN), so the backup does not need the timeout
// to notice. A second series stops the primary instead (kill -STOP: sockets stay open, as when
// its host hangs or vanishes), where only the timeout tells: that is where the ratio to the
// timeout means something. Each run also checks that no application switched over or restarted.

import os from 'node:os';
import type { Measurement, Suite } from './lib/measurement.js';
import { type Distribution, summarize } from './lib/stats.js';
import { type Fault, type TakeoverTiming, takeoverRun, waitForSettled } from './scs-takeover/takeover-run.js';
import { type ScsPairSettings, withScsPair } from './scs-takeover/scs-pair.js';

const RUNS: Readonly<Record<Fault, number>> = { SIGKILL: 20, SIGSTOP: 10 };
const WARMUP = 2;
const LABEL: Readonly<Record<Fault, string>> = { SIGKILL: 'kill -9', SIGSTOP: 'kill -STOP' };
const SETTINGS: ScsPairSettings = { logLevel: 'info', scsAddpTimeout: 1, appAddpTimeout: 1 };
const TIMEOUT_MS = SETTINGS.scsAddpTimeout * 1000;
const TARGET_MS = TIMEOUT_MS + 500;

interface Samples {
  readonly kill: TakeoverTiming[];
  readonly stop: TakeoverTiming[];
}

async function collect(progress: (message: string) => void): Promise<Samples> {
  return withScsPair(SETTINGS, async (pair) => {
    progress('SCS pair started; waiting for it to settle');
    let settled = await waitForSettled(pair, 'scs-a');
    const series = async (fault: Fault, runs: number): Promise<TakeoverTiming[]> => {
      const timings: TakeoverTiming[] = [];
      const total = WARMUP + runs;
      for (let i = 0; i < total; i += 1) {
        if (i % 5 === 0) progress(`${LABEL[fault]} of the primary SCS ${i + 1}-${Math.min(i + 5, total)} of ${total} (first ${WARMUP} are warm-up)`);
        const { timing, next } = await takeoverRun(pair, settled, fault);
        if (i >= WARMUP) timings.push(timing);
        settled = next;
      }
      return timings;
    };
    const kill = await series('SIGKILL', RUNS.SIGKILL);
    const stop = await series('SIGSTOP', RUNS.SIGSTOP);
    return { kill, stop };
  });
}

function row(name: string, which: 'p50' | 'p99', d: Distribution, extra: Partial<Measurement> = {}): Measurement {
  return { name: `${name} ${which}`, value: d[which], unit: 'ms', distribution: d, ...extra };
}

function series(fault: Fault, timings: readonly TakeoverTiming[], load: readonly [number, number]): Measurement[] {
  const of = (pick: (t: TakeoverTiming) => number) => summarize(timings.map(pick));
  const logged = of((t) => t.logged);
  const api = of((t) => t.api);
  const decided = of((t) => t.decided);
  const stamped = of((t) => t.loggedByTimestamp);
  const ratio = summarize(timings.map((t) => t.logged / TIMEOUT_MS));
  const resettled = of((t) => t.resettled);
  const switchovers = timings.reduce((n, t) => n + t.switchovers, 0);
  const restarted = timings.reduce((n, t) => n + t.restartedApps, 0);
  const target = { of: 'value', op: '<=', threshold: TARGET_MS } as const;
  const fault_ = `${LABEL[fault]} primary SCS`;
  const name = `${fault_} → backup logs 'SCS is primary'`;
  const how = fault === 'SIGKILL'
    ? 'the kill closes the peer link and the LCA sessions at once (FIN): no timeout involved'
    : `the stopped SCS keeps its sockets open: the backup and the LCAs see it only after the ADDP timeout (${TIMEOUT_MS} ms of silence)`;
  return [
    row(name, 'p50', logged, {
      target,
      note: `${timings.length} runs (after ${WARMUP} warm-up), primary alternating between scs-a and scs-b; ${how}; scs.addp timeout ${SETTINGS.scsAddpTimeout} s, `
        + `target ≤ timeout + 0.5 s; read from the backup's log file as it is written (inotify); the line's own timestamp − fault: p50 ${stamped.p50} ms, max ${stamped.max} ms; `
        + `the backup decided ('SCS promoting itself') after p50 ${decided.p50.toFixed(1)} ms, max ${decided.max.toFixed(1)} ms (the rest is the durable epoch and starting the pair machines); `
        + `daemons at --log-level ${SETTINGS.logLevel}; 1-min load average ${load[0].toFixed(2)} → ${load[1].toFixed(2)} on ${os.availableParallelism()} cores`,
    }),
    row(name, 'p99', logged, { target, ...(timings.length < 100 ? { note: 'with < 100 samples p99 is the maximum' } : {}) }),
    row(`${fault_} → backup API says role primary`, 'p50', api, { target, note: 'GET /api/v1/status on the backup, polled every 5 ms from the fault (each answer timed on arrival)' }),
    row(`${fault_} → backup API says role primary`, 'p99', api, { target }),
    { name: `${LABEL[fault]}: takeover ÷ ADDP timeout p50`, value: ratio.p50, unit: '×', distribution: ratio, note: `log line time ÷ ${TIMEOUT_MS} ms, per run` },
    { name: `${LABEL[fault]}: takeover ÷ ADDP timeout p99`, value: ratio.p99, unit: '×', distribution: ratio },
    {
      name: `${LABEL[fault]}: applications switched over`,
      value: switchovers,
      unit: 'switchovers',
      target: { of: 'value', op: '<=', threshold: 0 },
      note: `switchover-started events in the new primary's journal from each fault until settled, summed over ${timings.length} runs; `
        + `application processes replaced across a takeover: ${restarted}`,
    },
    row(`${LABEL[fault]} → failed SCS back as backup, all settled`, 'p50', resettled, {
      note: 'SIGKILL (if stopped), restart of `mlayer scs` (Node start, config, journal, links to the LCAs and the peer) until both SCSs agree; API polled every 20 ms',
    }),
  ];
}

function measurements({ kill, stop }: Samples, load: readonly [number, number]): Measurement[] {
  return [...series('SIGKILL', kill, load), ...series('SIGSTOP', stop, load)];
}

export const suite: Suite = {
  name: 'scs-takeover',
  description: 'SCS pair: kill -9 / kill -STOP of the primary SCS → the backup SCS serves as primary (scs.addp timeout 1 s); no application switches over',
  async run({ progress }) {
    const before = os.loadavg()[0] ?? NaN;
    const samples = await collect(progress);
    return measurements(samples, [before, os.loadavg()[0] ?? NaN]);
  },
};
