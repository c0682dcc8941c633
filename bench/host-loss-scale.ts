// Host loss at scale: 1,000 warm-standby pairs whose primaries all run on one host; the SCS (real,
// in this process, configured from a YAML file) loses that host (its LCA link closes). Each run is
// timed from the SCS's detection (its host-disconnected event) until every pair's backup has
// acknowledged primary: the SCS's switchover-completed events (where its own switchover-duration
// metric ends: the role request answered), and, earlier, its app-role events (the application's
// acknowledgement as its LCA reported it); all are stamped by the journal as the SCS appended
// them. The host then heals, the pairs settle the other way round, and the next run fails the
// other host. Target of the issue: ≤ 200 ms after detection. Three series (host-loss/solution.ts):
//   SCS alone      protocol-level LCAs on loopback, each in a worker thread, that acknowledge at once;
//   real LCAs      two real LCAs and 2,000 real SDK clients (no processes), all in this process
//                  on one core, the LCAs keeping their state in memory;
//   state on disk  the same, once, with the LCAs saving state.json on every change as in
//                  production (bounded: it may not finish).

import os from 'node:os';
import type { Measurement, Suite } from './lib/measurement.js';
import { summarize } from './lib/stats.js';
import { HOSTS, type HostLossSolution, type HostName, type LcaKind, backupName, primaryName, withHostLossSolution } from './host-loss/solution.js';

// MLAYER_BENCH_HOST_LOSS_PAIRS=N runs with fewer (or more) pairs, for trying things out.
const PAIRS = Number(process.env.MLAYER_BENCH_HOST_LOSS_PAIRS ?? 1000);
const RUNS = 3;
const TARGET_MS = 200;
const SHAPE = { pairs: PAIRS, scsAddpTimeout: 3, appAddpTimeout: 30 };
/** How long the run with the LCAs' state on disk may take before it is reported unfinished. */
const DISK_RUN_BOUND_MS = 20_000;
const SETTLE_TIMEOUT_MS = 120_000;
const FAILOVER_TIMEOUT_MS = 60_000;
const QUIET_MS = 500;
/** Settling is checked on the SCS's full status view: every 250 ms, not on every event. */
const SETTLE_CHECK = { onEvents: false, everyMs: 250 } as const;

interface RunResult {
  readonly lost: HostName;
  /** Every pair completed within the wait (false: the times cover only those that did). */
  readonly complete: boolean;
  /** Milliseconds from detection (journal time of host-disconnected) to each pair's switchover-completed (journal time). */
  readonly perPair: number[];
  /** The same to each new primary's app-role event (its acknowledgement as the LCA reported it). */
  readonly rolePerPair: number[];
  /** Milliseconds from the cut to each new primary's own acknowledgement (its SDK, performance.now()). */
  readonly sdkPerPair: number[];
  /** The cut → the journal time of host-disconnected (ms resolution). */
  readonly detection: number;
  /** The SCS's own `ms` of each switchover-completed (its detection → the ack). */
  readonly scsMs: number[];
  readonly switchovers: number;
}

const other = (host: HostName): HostName => (host === 'host-a' ? 'host-b' : 'host-a');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The member of pair `i` on `host` (primaries start on host-a, backups on host-b). */
const memberOn = (host: HostName, i: number) => (host === 'host-a' ? primaryName(i) : backupName(i));

/** Every pair has its member on `primaryHost` started as primary and the other started as backup, both hosts connected. */
function settledWith(solution: HostLossSolution, primaryHost: HostName): boolean {
  const status = solution.status();
  if (!status.hosts.every((h) => h.connected)) return false;
  const apps = new Map(status.applications.map((a) => [a.name, a]));
  for (let i = 0; i < PAIRS; i += 1) {
    const p = apps.get(memberOn(primaryHost, i));
    const b = apps.get(memberOn(other(primaryHost), i));
    if (p?.status !== 'started' || p.role !== 'primary' || b?.status !== 'started' || b.role !== 'backup') return false;
  }
  return true;
}

/** Every pair has one member started as primary and the other started as backup, both hosts connected. */
function settledEitherWay(solution: HostLossSolution): boolean {
  const status = solution.status();
  if (!status.hosts.every((h) => h.connected)) return false;
  const apps = new Map(status.applications.map((a) => [a.name, a]));
  for (let i = 0; i < PAIRS; i += 1) {
    const roles = [apps.get(primaryName(i)), apps.get(backupName(i))].map((a) => (a?.status === 'started' ? a.role : 'down')).sort().join();
    if (roles !== 'backup,primary') return false;
  }
  return true;
}

async function lose(solution: HostLossSolution, lost: HostName, timeoutMs = FAILOVER_TIMEOUT_MS): Promise<RunResult> {
  const survivor = other(lost);
  const eventMark = solution.events.length;
  const ackMark = solution.acks.length;
  await sleep(QUIET_MS);
  const cutWall = Date.now();
  const cutAt = performance.now();
  solution.cut(lost);
  const names = new Set(Array.from({ length: PAIRS }, (_, i) => memberOn(survivor, i)));
  const promoted = new Map<string, number>();
  const completed = new Map<string, number>();
  let disconnectedAt: number | undefined;
  let scanned = eventMark;
  const done = () => disconnectedAt !== undefined && promoted.size === names.size && completed.size === names.size;
  const complete = await solution.until(`every ${survivor} application to be acknowledged primary`, () => {
    for (; scanned < solution.events.length; scanned += 1) {
      const event = solution.events[scanned];
      if (event === undefined) continue;
      if (event.type === 'host-disconnected' && event.host === lost) disconnectedAt ??= Date.parse(event.time);
      if (event.type === 'app-role' && event.to === 'primary' && names.has(event.app) && !promoted.has(event.app)) promoted.set(event.app, Date.parse(event.time));
      if (event.type === 'switchover-completed' && names.has(event.primary) && !completed.has(event.primary)) completed.set(event.primary, Date.parse(event.time));
    }
    return done();
  }, timeoutMs).then(() => true, (error: unknown) => {
    if (disconnectedAt === undefined || timeoutMs === FAILOVER_TIMEOUT_MS) throw error;
    return false;
  });
  const detected = disconnectedAt as number;
  const sdk = new Map<string, number>();
  for (const ack of solution.acks.slice(ackMark)) if (ack.role === 'primary' && names.has(ack.app) && !sdk.has(ack.app)) sdk.set(ack.app, ack.at - cutAt);
  const events = solution.events.slice(eventMark);
  return {
    lost,
    complete,
    perPair: [...completed.values()].map((t) => t - detected),
    rolePerPair: [...promoted.values()].map((t) => t - detected),
    sdkPerPair: [...sdk.values()],
    detection: detected - cutWall,
    scsMs: events.flatMap((e) => (e.type === 'switchover-completed' ? [e.ms] : [])),
    switchovers: events.filter((e) => e.type === 'switchover-started').length,
  };
}

interface Series {
  readonly runs: RunResult[];
  /** Milliseconds to settle: at start-up, then after each healed run. */
  readonly settleMs: number[];
}

async function series(lcas: LcaKind, runs: number, progress: (message: string) => void, diskRun: boolean): Promise<{ memory: Series; disk: RunResult | undefined }> {
  return withHostLossSolution({ ...SHAPE, lcas }, async (solution) => {
    const settleMs: number[] = [];
    let started = performance.now();
    progress(`${lcas === 'real' ? 'real LCAs' : 'protocol-level LCAs'}: ${PAIRS} pairs, waiting for them to settle`);
    let primaryHost: HostName = HOSTS[0];
    await solution.until('every pair settled', () => settledEitherWay(solution), SETTLE_TIMEOUT_MS, SETTLE_CHECK);
    // A pair whose preferred primary was slow to start may have begun with its backup: move it.
    const apps = new Map(solution.status().applications.map((a) => [a.name, a]));
    const misplaced = Array.from({ length: PAIRS }, (_, i) => i).filter((i) => apps.get(memberOn(primaryHost, i))?.role !== 'primary');
    if (misplaced.length > 0) progress(`${misplaced.length} pairs started with their primary on ${other(primaryHost)}: switching them over`);
    for (const i of misplaced) await solution.switchover(memberOn(primaryHost, i));
    await solution.until(`every pair settled with its primary on ${primaryHost}`, () => settledWith(solution, primaryHost), SETTLE_TIMEOUT_MS, SETTLE_CHECK);
    settleMs.push(performance.now() - started);
    const results: RunResult[] = [];
    for (let r = 0; r < runs; r += 1) {
      progress(`run ${r + 1} of ${runs}: losing ${primaryHost} (all ${PAIRS} primaries)`);
      results.push(await lose(solution, primaryHost));
      await solution.heal(primaryHost);
      primaryHost = other(primaryHost);
      started = performance.now();
      const expected = primaryHost;
      await solution.until(`every pair settled with its primary on ${expected}`, () => settledWith(solution, expected), SETTLE_TIMEOUT_MS, SETTLE_CHECK);
      settleMs.push(performance.now() - started);
    }
    let disk: RunResult | undefined;
    if (diskRun) {
      progress(`one more run with the LCAs saving their state to disk as in production (bounded at ${DISK_RUN_BOUND_MS / 1000} s)`);
      await solution.storesOnDisk(true);
      disk = await lose(solution, primaryHost, DISK_RUN_BOUND_MS);
      // Let an unfinished run calm down before the teardown: an SCS shut down while its restarts
      // are in flight goes on scheduling them (see the report), which would disturb later suites.
      await solution.storesOnDisk(false);
      await solution.heal(primaryHost);
      await solution.until('every pair settled after the run with state on disk', () => settledEitherWay(solution), SETTLE_TIMEOUT_MS, SETTLE_CHECK)
        .catch(() => progress('warning: the pairs did not settle after the run with state on disk; tearing down anyway'));
    }
    return { memory: { runs: results, settleMs }, disk };
  });
}

interface Samples {
  readonly fake: Series;
  readonly real: Series;
  readonly disk: RunResult | undefined;
  readonly load: readonly [number, number];
}

async function collect(progress: (message: string) => void): Promise<Samples> {
  const before = os.loadavg()[0] ?? NaN;
  const fake = (await series('fake', RUNS, progress, false)).memory;
  const { memory: real, disk } = await series('real', RUNS, progress, true);
  return { fake, real, disk, load: [before, os.loadavg()[0] ?? NaN] };
}

const worst = (r: RunResult) => Math.max(...r.perPair);

function seriesRows(label: string, { runs, settleMs }: Series, extra: string): Measurement[] {
  const all = summarize(runs.map(worst));
  const perPair = summarize(runs.flatMap((r) => r.perPair));
  const roles = summarize(runs.map((r) => Math.max(...r.rolePerPair)));
  const scsMs = summarize(runs.flatMap((r) => r.scsMs));
  const target = { of: 'value', op: '<=', threshold: TARGET_MS } as const;
  const perRun = runs.map((r) => `${r.lost}: ${worst(r)} ms`).join(', ');
  return [
    {
      name: `${label}: detection → all ${PAIRS} pairs acknowledged, worst run`,
      value: all.max,
      unit: 'ms',
      distribution: all,
      target,
      note: `${runs.length} runs, alternating the lost host (${perRun}); detection = the SCS's host-disconnected event (the cut → it: ${runs.map((r) => r.detection).join(', ')} ms), `
        + `each pair done = its switchover-completed event (journal times, ms resolution); the new primaries' app-role events came earlier: last one p50 ${roles.p50} ms after detection; `
        + `the SCS's own switchover times (journal \`ms\`, failure → ack): p50 ${scsMs.p50} ms, max ${scsMs.max} ms; switchovers started per run: ${runs.map((r) => r.switchovers).join(', ')}; `
        + `after the host healed, all settled the other way in p50 ${summarize(settleMs.slice(1)).p50.toFixed(0)} ms (first start-up ${(settleMs[0] ?? NaN).toFixed(0)} ms); ${extra}`,
    },
    { name: `${label}: detection → all ${PAIRS} pairs acknowledged, median run`, value: all.p50, unit: 'ms', distribution: all, target },
    { name: `${label}: detection → a pair acknowledged, p50`, value: perPair.p50, unit: 'ms', distribution: perPair, note: `${perPair.count} pair switchovers pooled over the runs` },
    { name: `${label}: detection → a pair acknowledged, p99`, value: perPair.p99, unit: 'ms', distribution: perPair },
  ];
}

function diskRow(disk: RunResult): Measurement {
  const done = disk.perPair.length;
  const value = disk.complete ? worst(disk) : DISK_RUN_BOUND_MS;
  return {
    name: `state on disk: detection → all ${PAIRS} pairs acknowledged, 1 run`,
    value,
    unit: 'ms',
    target: { of: 'value', op: '<=', threshold: TARGET_MS },
    note: disk.complete
      ? `one run (lost ${disk.lost}) with both LCAs saving state.json on every change, as in production; per pair p50 ${summarize(disk.perPair).p50} ms`
      : `UNFINISHED: with both LCAs saving state.json on every change, as in production, only ${done} of ${PAIRS} pairs had completed `
        + `(${disk.rolePerPair.length} app-role acknowledgements journaled) ${DISK_RUN_BOUND_MS / 1000} s after detection; the value is that bound, a lower bound of the real time`,
  };
}

function measurements({ fake, real, disk, load }: Samples): Measurement[] {
  const sdk = summarize(real.runs.map((r) => Math.max(...r.sdkPerPair)));
  const environment = `scs.addp timeout ${SHAPE.scsAddpTimeout} s; logs at info to a file; 1-min load average ${load[0].toFixed(2)} → ${load[1].toFixed(2)} on ${os.availableParallelism()} cores`;
  return [
    ...seriesRows('SCS alone', fake, `protocol-level LCAs on loopback TCP, each in a worker thread (off the SCS's thread), acknowledging every role at once; ${environment}`),
    ...seriesRows('real LCAs', real, `SCS, both LCAs (state kept in memory) and the ${2 * PAIRS} SDK clients (app ADDP timeout ${SHAPE.appAddpTimeout} s) share this process's one core, `
      + `linked in memory; the last new primary's own acknowledgement (its SDK) came p50 ${sdk.p50.toFixed(0)} ms after the cut`),
    ...(disk === undefined ? [] : [diskRow(disk)]),
  ];
}

export const suite: Suite = {
  name: 'host-loss-scale',
  description: `Loss of the host of ${PAIRS} primaries (in-process SCS; protocol-level LCAs, then real LCAs with SDK clients): detection → every pair acknowledged a new primary (target ≤ ${TARGET_MS} ms)`,
  async run({ progress }) {
    return measurements(await collect(progress));
  },
};
