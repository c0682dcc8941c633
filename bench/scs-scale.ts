// SCS at scale: a real `mlayer scs` process linked to 1,000 simulated LCAs with 10 applications
// each (10,000 applications in 5,000 warm-standby pairs, every backup on the next host), with
// scs.addp timeout 3 s. The LCAs are fake-lca.ts in one helper process: real loopback ADDP servers
// speaking the real protocol (HMAC authentication, the snapshot, role acknowledgements), so the SCS
// does all its real work: 1,000 keep-alive links, the pair machines, the journal, the API. Once
// every application has acknowledged its role and the solution has been idle a few seconds, the
// SCS's own CPU time and resident memory are read from /proc over a steady window; then its
// GET /api/v1/status is timed. Targets of the issue: CPU < 10 % of a core, RSS < 200 MB.

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MLAYER, ROOT, freePort, writeSecret } from '../test/support/daemons.js';
import { Daemon } from './failover/daemon.js';
import type { Measurement, Suite } from './lib/measurement.js';
import { ProcessGroups } from './lib/process-groups.js';
import { cpuSeconds, openFilesLimit, rssBytes, withOpenFiles } from './lib/proc-stats.js';
import { summarize } from './lib/stats.js';
import { makeTempDir, removeTempDir } from './lib/temp-dirs.js';
import { HelperProcess } from './scs-scale/helper-process.js';
import { fencings, longestStall, warnings } from './scs-scale/scs-log.js';
import { type ScaleShape, scaleYaml } from './scs-scale/layout.js';

// MLAYER_BENCH_SCS_SCALE_HOSTS=N simulates fewer (or more) LCAs, for trying things out.
const SHAPE: ScaleShape = { hosts: Number(process.env.MLAYER_BENCH_SCS_SCALE_HOSTS ?? 1000), appsPerHost: 10 };
const ADDP_TIMEOUT_S = 3;
const SETTLE_MS = 5_000;
const WINDOW_MS = 25_000;
const RSS_SAMPLE_MS = 1_000;
const REQUESTS = 60;
const REQUEST_GAP_MS = 100;
const STARTUP_TIMEOUT_MS = 180_000;
const SETTLE_POLL_MS = 2_000;
const HELPER = fileURLToPath(new URL('./scs-scale/fake-lcas-main.ts', import.meta.url));
const SECRET = 'scs-scale-benchmark-shared-secret-0123456789';
const MB = 1024 * 1024;

interface StatusBody {
  readonly hosts: readonly { readonly connected: boolean }[];
  readonly applications: readonly { readonly status: string; readonly role: string; readonly desiredRole: string }[];
}

interface Samples {
  readonly startup: { readonly started: number; readonly authenticated: number; readonly roles: number; readonly settled: number };
  /** SCS links the fake LCAs lost (ADDP timeout or close) before the window, and during it. */
  readonly lostAtStartup: number;
  /** The SCS's 'fencing application' log lines (each one kills an application), and why. */
  readonly fenced: { readonly count: number; readonly reasons: string };
  /** The longest event-loop stall of the SCS its keep-alive logged during start-up (ms). */
  readonly stallMs: number;
  readonly scsCpu: number;
  readonly helperCpu: number;
  readonly windowMs: number;
  readonly rssMax: number;
  readonly rssAfterApi: number;
  readonly latencies: number[];
  readonly bodyBytes: number;
  readonly connectedHosts: number;
  readonly settledApps: number;
  readonly lostInWindow: number;
  readonly warnings: string;
  readonly fdNote: string;
  readonly load: readonly [number, number];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spawnScs(dir: string, command: { command: string; args: string[] }): Daemon {
  const logFile = join(dir, 'scs.log');
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command.command, command.args, { cwd: dir, stdio: ['ignore', 'ignore', fd] });
  } finally {
    closeSync(fd);
  }
  return new Daemon('scs', child, logFile, false);
}

/** Polls GET /api/v1/status until every host is connected and every application started in its desired role; resolves with performance.now(). */
async function waitUntilSettled(url: string): Promise<number> {
  const deadline = performance.now() + STARTUP_TIMEOUT_MS;
  let last = '';
  while (performance.now() < deadline) {
    const response = await fetch(`${url}/api/v1/status`, { signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
    const at = performance.now();
    if (response?.ok) {
      const status = (await response.json()) as StatusBody;
      const hosts = status.hosts.filter((h) => h.connected).length;
      const apps = status.applications.filter((a) => a.status === 'started' && a.role !== 'none' && a.role === a.desiredRole).length;
      if (hosts === status.hosts.length && apps === status.applications.length) return at;
      last = `${hosts}/${status.hosts.length} hosts connected, ${apps}/${status.applications.length} applications settled`;
    }
    await sleep(SETTLE_POLL_MS);
  }
  throw new Error(`the SCS did not settle within ${STARTUP_TIMEOUT_MS} ms: ${last}`);
}

async function timeStatus(url: string): Promise<{ latencies: number[]; body: string }> {
  const latencies: number[] = [];
  let body = '';
  for (let i = 0; i < REQUESTS; i += 1) {
    const sentAt = performance.now();
    const response = await fetch(`${url}/api/v1/status`, { signal: AbortSignal.timeout(10_000) });
    body = await response.text();
    latencies.push(performance.now() - sentAt);
    if (!response.ok) throw new Error(`GET /api/v1/status: ${response.status} ${body.slice(0, 200)}`);
    await sleep(REQUEST_GAP_MS);
  }
  return { latencies, body };
}

async function collect(progress: (message: string) => void): Promise<Samples> {
  const loadBefore = os.loadavg()[0] ?? NaN;
  const dir = makeTempDir('mlayer-bench-scs-scale-');
  const tracked = new ProcessGroups();
  const secretFile = writeSecret(dir, SECRET).file;
  const limit = openFilesLimit();
  // The helper holds a listener and an accepted socket per LCA; the SCS one socket per LCA.
  const helperCommand = withOpenFiles(2 * SHAPE.hosts + 256, process.execPath,
    ['--import', 'tsx', HELPER, '--hosts', String(SHAPE.hosts), '--apps-per-host', String(SHAPE.appsPerHost), '--secret-file', secretFile]);
  const helper = new HelperProcess(helperCommand.command, helperCommand.args, ROOT);
  let scs: Daemon | undefined;
  try {
    progress(`starting ${SHAPE.hosts} simulated LCAs (${SHAPE.hosts * SHAPE.appsPerHost} applications) in helper process ${helper.pid}`);
    const portsLine = await helper.line('ports ', STARTUP_TIMEOUT_MS);
    const ports = JSON.parse(portsLine.text.slice('ports '.length)) as number[];
    const httpPort = await freePort();
    const config = join(dir, 'solution.yaml');
    writeFileSync(config, scaleYaml(SHAPE, { httpPort, addpTimeout: ADDP_TIMEOUT_S, secretFile }, ports));
    const scsCommand = withOpenFiles(SHAPE.hosts + 256, process.execPath, [MLAYER, 'scs', '--config', config, '--log-level', 'info']);
    const spawnedAt = performance.now();
    scs = spawnScs(dir, scsCommand);
    tracked.add(scs.pid, { group: false });
    await scs.waitForLog('SCS started');
    const started = performance.now() - spawnedAt;
    progress(`SCS ${scs.pid} started after ${(started / 1000).toFixed(1)} s; waiting for every LCA link and role`);
    const authenticated = (await helper.line('all-authenticated', STARTUP_TIMEOUT_MS)).at - spawnedAt;
    const roles = (await helper.line('all-roles', STARTUP_TIMEOUT_MS)).at - spawnedAt;
    const url = `http://127.0.0.1:${httpPort}`;
    const settled = (await waitUntilSettled(url)) - spawnedAt;
    progress(`every application in its desired role after ${(settled / 1000).toFixed(1)} s; idle ${SETTLE_MS / 1000} s, then a ${WINDOW_MS / 1000} s CPU window`);
    await sleep(SETTLE_MS);
    const lostAtStartup = helper.linesStartingWith('lost ').length;

    const pid = scs.pid;
    const cpu0 = cpuSeconds(pid);
    const helper0 = cpuSeconds(helper.pid);
    const t0 = performance.now();
    let rssMax = rssBytes(pid);
    while (performance.now() - t0 < WINDOW_MS) {
      await sleep(Math.min(RSS_SAMPLE_MS, WINDOW_MS - (performance.now() - t0)));
      rssMax = Math.max(rssMax, rssBytes(pid));
    }
    const windowMs = performance.now() - t0;
    const scsCpu = (cpuSeconds(pid) - cpu0) / (windowMs / 1000);
    const helperCpu = (cpuSeconds(helper.pid) - helper0) / (windowMs / 1000);

    progress(`timing ${REQUESTS} GET /api/v1/status`);
    const lostInWindow = helper.linesStartingWith('lost ').length - lostAtStartup;
    const { latencies, body } = await timeStatus(url);
    const status = JSON.parse(body) as StatusBody;
    return {
      startup: { started, authenticated, roles, settled },
      lostAtStartup,
      fenced: fencings(scs.logFile),
      stallMs: longestStall(scs.logFile),
      scsCpu,
      helperCpu,
      windowMs,
      rssMax,
      rssAfterApi: rssBytes(pid),
      latencies,
      bodyBytes: Buffer.byteLength(body),
      connectedHosts: status.hosts.filter((h) => h.connected).length,
      settledApps: status.applications.filter((a) => a.status === 'started' && a.role !== 'none' && a.role === a.desiredRole).length,
      lostInWindow,
      warnings: warnings(scs.logFile),
      fdNote: `ulimit -n here ${limit.soft} (hard ${limit.hard}); helper: ${helperCommand.note}; SCS: ${scsCommand.note}`,
      load: [loadBefore, os.loadavg()[0] ?? NaN],
    };
  } finally {
    try {
      await scs?.end();
      await helper.kill();
    } finally {
      if (scs !== undefined && !scs.alive) tracked.forget(scs.pid);
      tracked.killAll();
      removeTempDir(dir);
    }
  }
}

function measurements(s: Samples): Measurement[] {
  const latency = summarize(s.latencies);
  const apps = SHAPE.hosts * SHAPE.appsPerHost;
  return [
    {
      name: 'SCS CPU, steady state',
      value: s.scsCpu * 100,
      unit: '% of a core',
      target: { of: 'value', op: '<=', threshold: 10 },
      note: `${SHAPE.hosts} simulated LCAs × ${SHAPE.appsPerHost} applications (${apps / 2} warm-standby pairs), scs.addp timeout ${ADDP_TIMEOUT_S} s both ways; `
        + `utime+stime of the SCS process over ${(s.windowMs / 1000).toFixed(1)} s, starting ${SETTLE_MS / 1000} s after every role was acknowledged, no API requests meanwhile; `
        + `the helper with the ${SHAPE.hosts} fake LCAs used ${(s.helperCpu * 100).toFixed(1)} % of a core meanwhile; SCS links lost during the window: ${s.lostInWindow}; `
        + `SCS warnings: ${s.warnings}; 1-min load average ${s.load[0].toFixed(2)} → ${s.load[1].toFixed(2)} on ${os.availableParallelism()} cores`,
    },
    {
      name: 'SCS RSS, steady state (max)',
      value: s.rssMax / MB,
      unit: 'MB',
      target: { of: 'value', op: '<=', threshold: 200 },
      note: `VmRSS sampled every ${RSS_SAMPLE_MS / 1000} s over the window; after the ${REQUESTS} status requests: ${(s.rssAfterApi / MB).toFixed(0)} MB; ${s.fdNote}`,
    },
    {
      name: 'GET /api/v1/status p50',
      value: latency.p50,
      unit: 'ms',
      distribution: latency,
      note: `${REQUESTS} requests one after another (${REQUEST_GAP_MS} ms apart), timed to the last byte of a ${(s.bodyBytes / MB).toFixed(1)} MB body; `
        + `it showed ${s.connectedHosts}/${SHAPE.hosts} hosts connected and ${s.settledApps}/${apps} applications started in their desired role`,
    },
    { name: 'GET /api/v1/status p99', value: latency.p99, unit: 'ms', distribution: latency, note: 'with < 100 samples p99 is the maximum' },
    {
      name: 'start → every application in its desired role',
      value: s.startup.settled / 1000,
      unit: 's',
      note: `spawn of \`mlayer scs\` → 'SCS started' ${(s.startup.started / 1000).toFixed(1)} s (loading the ${apps}-application configuration) → every LCA authenticated `
        + `${(s.startup.authenticated / 1000).toFixed(1)} s → every application acknowledged a role ${(s.startup.roles / 1000).toFixed(1)} s → the API shows all settled (polled every ${SETTLE_POLL_MS / 1000} s)`,
    },
    {
      name: 'SCS links lost during start-up',
      value: s.lostAtStartup,
      unit: 'links',
      note: 'authenticated SCS links the fake LCAs declared lost (ADDP timeout: the SCS was silent for 3 s) before the steady window; each loss makes the SCS treat that host\'s applications as failed; '
        + `longest event-loop stall the SCS's own keep-alive logged ('addp check ran late'): ${s.stallMs === 0 ? 'none logged' : `${s.stallMs} ms`}`,
    },
    {
      name: 'applications fenced during start-up',
      value: s.fenced.count,
      unit: 'kills',
      note: `the SCS's 'fencing application' log lines, each of which kills a running application${s.fenced.count === 0 ? '' : `: ${s.fenced.reasons}`}`,
    },
  ];
}

export const suite: Suite = {
  name: 'scs-scale',
  description: 'A real SCS with 1,000 simulated LCAs × 10 applications (scs.addp timeout 3 s): steady-state CPU and RSS, GET /api/v1/status latency',
  async run({ progress }) {
    return measurements(await collect(progress));
  },
};
