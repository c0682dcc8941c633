// mlayer against Redis Sentinel, in the same run on the same machine. Sentinel: a master, a replica
// and three sentinels on loopback (quorum 2, parallel-syncs 1, failover-timeout 1 s); kill -9 the
// master and time until the replica answers ROLE with master. Five runs with down-after-milliseconds
// 50 ms (a fresh topology each), then one run with Sentinel's default down-after (30 s): one run is
// enough there, since the wait is the configured 30 s. mlayer: the failover suite's crash run
// (kill -9 of the primary demo app → the backup's WATCH line `role primary`), 20 runs. Its figure
// is then given as a ratio to Sentinel's. The two detect differently: Sentinel waits out
// down-after (it only pings), mlayer hears the crash (the app's link closes at once).
// Needs redis-server and redis-sentinel (scripts/install-redis.sh); without them only mlayer is measured.

import os from 'node:os';
import { crashRun } from './failover/crash.js';
import { type SettledPair, waitForSettledPair } from './failover/pair.js';
import { SETTLE_TIMEOUT_MS } from './failover/runs.js';
import { CRASH_FAILOVER_SETTINGS, withFailoverSolution } from './failover/solution.js';
import type { Measurement, Suite } from './lib/measurement.js';
import { type Distribution, summarize } from './lib/stats.js';
import { type SentinelSettings, redisBinaries, withSentinelTopology } from './sentinel/topology.js';

const FAST_RUNS = 5;
const FAST: SentinelSettings = { downAfterMs: 50, failoverTimeoutMs: 1000, parallelSyncs: 1, quorum: 2 };
const DEFAULT_DOWN_AFTER: SentinelSettings = { ...FAST, downAfterMs: undefined };
const SETTLE_MS = 30_000;
const FAST_PROMOTION_TIMEOUT_MS = 20_000;
const DEFAULT_PROMOTION_TIMEOUT_MS = 90_000;

const MLAYER_RUNS = 20;
const MLAYER_WARMUP = 3;
const MLAYER = CRASH_FAILOVER_SETTINGS;

type Progress = (message: string) => void;

interface SentinelRuns {
  readonly fast: number[];
  readonly fastSettle: number[];
  readonly fastPolls: number[];
  /** Runs whose polling connection Sentinel's CLIENT KILL cut at the promotion. */
  readonly cut: number;
  readonly slow: number;
}

async function sentinelRuns(binaries: { server: string; sentinel: string }, progress: Progress): Promise<SentinelRuns> {
  const fast: number[] = [];
  const fastSettle: number[] = [];
  const fastPolls: number[] = [];
  let cut = 0;
  for (let i = 0; i < FAST_RUNS; i += 1) {
    progress(`Sentinel, down-after ${FAST.downAfterMs} ms: run ${i + 1} of ${FAST_RUNS} (fresh topology)`);
    await withSentinelTopology(binaries, FAST, async (topology) => {
      fastSettle.push(await topology.settle(SETTLE_MS));
      const { promotedMs, polls, reconnects } = await topology.crashMaster(FAST_PROMOTION_TIMEOUT_MS);
      fast.push(promotedMs);
      fastPolls.push(polls);
      if (reconnects > 0) cut += 1;
    });
  }
  progress('Sentinel, default down-after (30 s): one run');
  const slow = await withSentinelTopology(binaries, DEFAULT_DOWN_AFTER, async (topology) => {
    await topology.settle(SETTLE_MS);
    return (await topology.crashMaster(DEFAULT_PROMOTION_TIMEOUT_MS)).promotedMs;
  });
  return { fast, fastSettle, fastPolls, cut, slow };
}

async function mlayerRuns(progress: Progress): Promise<number[]> {
  return withFailoverSolution(MLAYER, async (solution) => {
    progress(`mlayer: ${MLAYER_WARMUP + MLAYER_RUNS} crash failovers (first ${MLAYER_WARMUP} warm-up)`);
    let pair: SettledPair = await waitForSettledPair(solution, SETTLE_TIMEOUT_MS);
    const promoted: number[] = [];
    for (let i = 0; i < MLAYER_WARMUP + MLAYER_RUNS; i += 1) {
      const { timing, next } = await crashRun(solution, pair);
      if (i >= MLAYER_WARMUP) promoted.push(timing.promoted);
      pair = next;
    }
    return promoted;
  });
}

function ratioRow(name: string, mlayer: number, sentinel: number, note: string): Measurement {
  return { name, value: mlayer / sentinel, unit: '×', note };
}

function measurements(sentinel: SentinelRuns | { missing: string }, mlayer: Distribution, load: readonly [number, number]): Measurement[] {
  const mlayerNote = `${mlayer.count} crash failovers of a warm-standby demo-app pair (after ${MLAYER_WARMUP} warm-up), the failover suite's crash run: `
    + `kill -9 of the primary → the backup's WATCH line "role primary"; app ADDP timeout ${MLAYER.appAddpTimeout} s (not involved: the crash closes the app's link); `
    + `1-min load average ${load[0].toFixed(2)} → ${load[1].toFixed(2)} on ${os.availableParallelism()} cores`;
  const mlayerRows: Measurement[] = [
    { name: 'mlayer: kill -9 primary → backup role primary p50', value: mlayer.p50, unit: 'ms', distribution: mlayer, note: mlayerNote },
    { name: 'mlayer: kill -9 primary → backup role primary p99', value: mlayer.p99, unit: 'ms', distribution: mlayer, note: 'with < 100 samples p99 is the maximum' },
  ];
  if ('missing' in sentinel) {
    return [...mlayerRows, { name: 'Sentinel: not measured', value: 0, unit: '', note: sentinel.missing }];
  }
  const fast = summarize(sentinel.fast);
  const settle = summarize(sentinel.fastSettle);
  return [
    {
      name: `Sentinel, down-after ${FAST.downAfterMs} ms: kill -9 master → replica ROLE master p50`,
      value: fast.p50,
      unit: 'ms',
      distribution: fast,
      note: `${fast.count} runs, a fresh topology each (master, replica, 3 sentinels, quorum ${FAST.quorum}, failover-timeout ${FAST.failoverTimeoutMs} ms, parallel-syncs ${FAST.parallelSyncs}), `
        + `each settled first (replica in sync, every sentinel seeing the replica and both others: p50 ${(settle.p50 / 1000).toFixed(1)} s); ROLE asked every 5 ms on one connection `
        + `(p50 ${summarize(sentinel.fastPolls).p50} polls per run; Sentinel's CLIENT KILL at the promotion cut that connection in ${sentinel.cut} of ${fast.count} runs, `
        + `it was reopened at once); min ${fast.min.toFixed(0)} ms; Sentinel asks its peers whether the master is down at most once a second, which sets the pace after down-after`,
    },
    { name: `Sentinel, down-after ${FAST.downAfterMs} ms: kill -9 master → replica ROLE master max`, value: fast.max, unit: 'ms', distribution: fast },
    {
      name: 'Sentinel, default down-after (30 s): kill -9 master → replica ROLE master',
      value: sentinel.slow,
      unit: 'ms',
      note: 'one run (the wait is the configured 30 s; more runs would only repeat it); other settings as above',
    },
    ...mlayerRows,
    ratioRow(`mlayer ÷ Sentinel (down-after ${FAST.downAfterMs} ms), p50`, mlayer.p50, fast.p50, 'mlayer\'s crash failover p50 divided by Sentinel\'s best-tuned p50, same machine, same run'),
    ratioRow('mlayer ÷ Sentinel (default down-after), p50', mlayer.p50, sentinel.slow, 'against Sentinel as installed (down-after 30 s), one Sentinel run'),
  ];
}

export const suite: Suite = {
  name: 'sentinel',
  description: 'Crash failover: Redis Sentinel (down-after 50 ms ×5, default 30 s ×1) against mlayer (kill -9 of the primary demo app ×20), same machine, same run',
  async run({ progress }) {
    const before = os.loadavg()[0] ?? NaN;
    const binaries = redisBinaries();
    const sentinel = 'missing' in binaries ? binaries : await sentinelRuns(binaries, progress);
    if ('missing' in binaries) progress(`Sentinel not measured: ${binaries.missing}`);
    const mlayer = summarize(await mlayerRuns(progress));
    return measurements(sentinel, mlayer, [before, os.loadavg()[0] ?? NaN]);
  },
};
