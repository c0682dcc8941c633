// The solution under test: two real `mlayer lca` processes (host-a, host-b), a generated
// configuration with one warm-standby pair of demo applications, and a real `mlayer scs`. Unlike
// the test harness's TestSolution it runs the daemons at the production log level, with restart
// delays short enough for a hundred failovers in a row and flapping detection off, and it can
// hand extra Node flags to the daemons (e.g. --cpu-prof). Every process it started, the
// applications included, is killed when `withFailoverSolution` ends, whatever happened.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killGroup, launchedPids, writeSecret } from '../../test/support/daemons.js';
import { APPS, HOSTS, demoPairYaml } from './demo-pair-yaml.js';
import { ProcessGroups, isAlive } from '../lib/process-groups.js';
import { type Daemon, spawnDaemon } from './daemon.js';

export { APPS, HOSTS };
export type AppName = (typeof APPS)[number];

export interface FailoverSettings {
  /** The daemons' --log-level (a production SCS/LCA logs at info). */
  readonly logLevel: string;
  /** Seconds: the SCS's ADDP keep-alive with the LCAs. */
  readonly scsAddpTimeout: number;
  /** Seconds: the application ↔ LCA keep-alive, i.e. the hang detection time T. */
  readonly appAddpTimeout: number;
  readonly restart: { readonly initialDelay: number; readonly maxDelay: number };
  /** Extra Node flags for the SCS and for the LCAs, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/p']. */
  readonly scsNodeArgs: readonly string[];
  readonly lcaNodeArgs: readonly string[];
}

/**
 * The failover suite's solution (also the mlayer side of the Sentinel comparison): the SCS's
 * restart backoff starts over only after 30 s of stable running, so with a failover every half
 * second it stays at its cap, which must therefore be short.
 */
export const CRASH_FAILOVER_SETTINGS: FailoverSettings = {
  logLevel: 'info',
  scsAddpTimeout: 1,
  appAddpTimeout: 0.5,
  restart: { initialDelay: 0.05, maxDelay: 0.2 },
  scsNodeArgs: [],
  lcaNodeArgs: [],
};

const SECRET = 'failover-benchmark-shared-secret-0123456789';

export interface AppView {
  readonly name: string;
  readonly status: string;
  readonly role: string;
  readonly desiredRole: string;
  readonly pid: number | null;
}

interface StatusBody {
  readonly applications: readonly AppView[];
  readonly pairs: readonly { readonly name: string; readonly active: string | null; readonly state: string }[];
}

export interface JournalEvent {
  readonly seq: number;
  readonly type: string;
  readonly [key: string]: unknown;
}

export class FailoverSolution {
  readonly dir = mkdtempSync(join(tmpdir(), 'mlayer-bench-failover-'));
  readonly ports = new Map<AppName, number>();
  private readonly daemons: Daemon[] = [];
  private scs: Daemon | undefined;
  private url = '';
  /** Everything started, for the runner's last-resort cleanup; pids are forgotten once reaped. */
  private readonly tracked = new ProcessGroups();
  private readonly appPids = new Set<number>();

  /**
   * Last resort when the runner exits or is interrupted mid-run: an application the SCS restarted
   * a moment ago may not have been seen through the API yet, but its LCA has recorded it.
   */
  private readonly killLaunchedOnExit = (): void => {
    for (const host of HOSTS) for (const pid of launchedPids(join(this.dir, `lca-${host}`))) killGroup(pid);
    rmSync(this.dir, { recursive: true, force: true });
  };

  constructor(readonly settings: FailoverSettings) {
    process.once('exit', this.killLaunchedOnExit);
  }

  port(app: AppName): number {
    const port = this.ports.get(app);
    if (port === undefined) throw new Error(`no port for ${app}`);
    return port;
  }

  async start(): Promise<void> {
    const secretFile = writeSecret(this.dir, SECRET).file;
    const lcaPorts: number[] = [];
    for (const host of HOSTS) {
      const stateDir = join(this.dir, `lca-${host}`);
      const lca = this.spawnDaemon(`lca ${host}`, this.settings.lcaNodeArgs,
        ['lca', '--listen', '127.0.0.1:0', '--name', host, '--state-dir', stateDir, '--secret-file', secretFile, '--log-level', this.settings.logLevel]);
      const listening = await lca.waitForLog('LCA listening');
      lcaPorts.push(Number(String(listening.address).split(':').pop()));
    }
    for (const app of APPS) this.ports.set(app, await freePort());
    const httpPort = await freePort();
    this.url = `http://127.0.0.1:${httpPort}`;
    const config = join(this.dir, 'solution.yaml');
    writeFileSync(config, this.yaml(httpPort, lcaPorts));
    this.scs = this.spawnDaemon('scs', this.settings.scsNodeArgs, ['scs', '--config', config, '--log-level', this.settings.logLevel]);
    await this.scs.waitForLog('SCS started');
  }

  private yaml(httpPort: number, lcaPorts: readonly number[]): string {
    const s = this.settings;
    const lines = [
      'scs:',
      '  id: scs-bench',
      `  http: 127.0.0.1:${httpPort}`,
      '  journal: ./journal',
      `  lcaSecretFile: ./${'lca.secret'}`,
      `  addp: { timeout: ${s.scsAddpTimeout}, remoteTimeout: ${s.scsAddpTimeout} }`,
      '  disconnectSwitchoverTimeout: 0',
      '  startWindow: 3',
      ...demoPairYaml({
        lcaPorts,
        appPorts: APPS.map((app) => this.port(app)),
        appAddpTimeout: s.appAddpTimeout,
        appLines: [`    restart: { initialDelay: ${s.restart.initialDelay}, maxDelay: ${s.restart.maxDelay} }`],
        // A hundred switchovers a minute is the benchmark, not flapping: window 0 turns detection off.
        pairLines: ['    flapping: { window: 0 }'],
      }),
    ];
    return `${lines.join('\n')}\n`;
  }

  private spawnDaemon(name: string, nodeArgs: readonly string[], args: readonly string[]): Daemon {
    const daemon = spawnDaemon(name, this.dir, nodeArgs, args);
    this.tracked.add(daemon.pid, { group: false });
    this.daemons.push(daemon);
    return daemon;
  }

  /** The SCS's last log lines, for error messages. */
  scsTail(n = 8): string {
    return this.scs?.tail(n) ?? '(no SCS)';
  }

  async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async status(): Promise<StatusBody> {
    const body = await this.get<StatusBody>('/api/v1/status');
    for (const app of body.applications) this.track(app.pid);
    return body;
  }

  async events(since = 0): Promise<JournalEvent[]> {
    return this.get<JournalEvent[]>(`/api/v1/events?since=${since}&limit=10000`);
  }

  /** Tracks an application process (its own process group) so that it is killed at the end. */
  track(pid: number | null): void {
    if (pid === null || this.appPids.has(pid)) return;
    this.appPids.add(pid);
    this.tracked.add(pid, { group: true });
  }

  /** Forgets application processes the LCAs have reaped (their pids may be reused). */
  forgetReaped(): void {
    for (const pid of this.appPids) {
      if (isAlive(pid)) continue;
      this.appPids.delete(pid);
      this.tracked.forget(pid);
    }
  }

  /** Kills the SCS, the LCAs and every application they launched; removes the directory. */
  async stop(): Promise<void> {
    try {
      // The SCS first, so that nothing restarts what the LCAs' deaths leave behind.
      if (this.scs !== undefined) await this.scs.end();
      await Promise.all(this.daemons.map((d) => d.end()));
      for (const host of HOSTS) for (const pid of launchedPids(join(this.dir, `lca-${host}`))) this.track(pid);
      this.forgetReaped();
      for (const pid of this.appPids) killGroup(pid); // SIGCONT + SIGKILL: a stopped process dies too
      this.appPids.clear();
    } finally {
      process.off('exit', this.killLaunchedOnExit);
      for (const daemon of this.daemons) if (!daemon.alive) this.tracked.forget(daemon.pid);
      this.tracked.killAll();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Runs `body` against a fresh solution; afterwards every process of it is gone. */
export async function withFailoverSolution<T>(settings: FailoverSettings, body: (solution: FailoverSolution) => Promise<T>): Promise<T> {
  const solution = new FailoverSolution(settings);
  try {
    await solution.start();
    return await body(solution);
  } finally {
    await solution.stop();
  }
}
