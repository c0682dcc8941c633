// The SCS pair under test: two real `mlayer lca` (host-a, host-b), two real `mlayer scs` (scs-a on
// host-a, the preferred primary, and scs-b on host-b) with a direct peer link, and one
// warm-standby pair of demo applications. Unlike the test harness's TestScsPair there are no
// partition proxies (a kill -9 is seen by the peer and by the LCAs as the kernel closes the
// sockets), the daemons log to files at the production level, and an SCS can be killed and
// started again any number of times (each incarnation logs to its own file). Every process it
// started, the applications included, is killed when `withScsPair` ends, whatever happened.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killGroup, launchedPids, writeSecret } from '../../test/support/daemons.js';
import { APPS, HOSTS, demoPairYaml } from '../failover/demo-pair-yaml.js';
import { type Daemon, spawnDaemon } from '../failover/daemon.js';
import { ProcessGroups, isAlive } from '../lib/process-groups.js';

export const SCS_IDS = ['scs-a', 'scs-b'] as const;
export type ScsId = (typeof SCS_IDS)[number];

export { APPS, HOSTS };
const HOST_OF: Readonly<Record<ScsId, (typeof HOSTS)[number]>> = { 'scs-a': 'host-a', 'scs-b': 'host-b' };
const SECRET = 'scs-takeover-benchmark-shared-secret-0123456789';

export const other = (id: ScsId): ScsId => (id === 'scs-a' ? 'scs-b' : 'scs-a');

export interface ScsPairSettings {
  readonly logLevel: string;
  /** Seconds: scs.addp (the SCS ↔ LCA and SCS ↔ SCS keep-alive). */
  readonly scsAddpTimeout: number;
  /** Seconds: the application ↔ LCA keep-alive. */
  readonly appAddpTimeout: number;
}

export interface StatusBody {
  readonly scs: { readonly id: string; readonly role: string; readonly epoch: number; readonly peer?: { readonly id: string; readonly connected: boolean } };
  readonly hosts: readonly { readonly name: string; readonly connected: boolean }[];
  readonly applications: readonly { readonly name: string; readonly status: string; readonly role: string; readonly pid: number | null }[];
}

export interface JournalEvent {
  readonly seq: number;
  readonly type: string;
  readonly [key: string]: unknown;
}

export class ScsPairSolution {
  readonly dir = mkdtempSync(join(tmpdir(), 'mlayer-bench-scs-pair-'));
  private readonly tracked = new ProcessGroups();
  private readonly lcas: Daemon[] = [];
  private readonly scs = new Map<ScsId, Daemon>();
  private readonly incarnations = new Map<ScsId, number>();
  private readonly urls = new Map<ScsId, string>();
  private readonly configs = new Map<ScsId, string>();
  private readonly appPids = new Set<number>();
  private readonly killLaunchedOnExit = (): void => {
    for (const host of HOSTS) for (const pid of launchedPids(join(this.dir, `lca-${host}`))) killGroup(pid);
    rmSync(this.dir, { recursive: true, force: true });
  };

  constructor(readonly settings: ScsPairSettings) {
    process.once('exit', this.killLaunchedOnExit);
  }

  async start(): Promise<void> {
    const secretFile = writeSecret(this.dir, SECRET).file;
    const lcaPorts: number[] = [];
    for (const host of HOSTS) {
      const lca = spawnDaemon(`lca ${host}`, this.dir, [],
        ['lca', '--listen', '127.0.0.1:0', '--name', host, '--state-dir', join(this.dir, `lca-${host}`), '--secret-file', secretFile, '--log-level', this.settings.logLevel]);
      this.tracked.add(lca.pid, { group: false });
      this.lcas.push(lca);
      const listening = await lca.waitForLog('LCA listening');
      lcaPorts.push(Number(String(listening.address).split(':').pop()));
    }
    const appPorts = [await freePort(), await freePort()];
    const peerPorts = { 'scs-a': await freePort(), 'scs-b': await freePort() };
    for (const id of SCS_IDS) {
      const httpPort = await freePort();
      this.urls.set(id, `http://127.0.0.1:${httpPort}`);
      const file = join(this.dir, `${id}.yaml`);
      writeFileSync(file, this.yaml(id, httpPort, peerPorts, lcaPorts, appPorts));
      this.configs.set(id, file);
    }
    const started = SCS_IDS.map((id) => this.startScs(id));
    await Promise.all(started.map((daemon) => daemon.waitForLog('SCS started')));
  }

  private yaml(id: ScsId, httpPort: number, peerPorts: Readonly<Record<ScsId, number>>, lcaPorts: readonly number[], appPorts: readonly number[]): string {
    const s = this.settings;
    const peer = other(id);
    const lines = [
      'scs:',
      `  id: ${id}`,
      `  http: 127.0.0.1:${httpPort}`,
      `  journal: ./journal-${id}`,
      '  lcaSecretFile: ./lca.secret',
      `  addp: { timeout: ${s.scsAddpTimeout}, remoteTimeout: ${s.scsAddpTimeout} }`,
      '  disconnectSwitchoverTimeout: 0',
      '  startWindow: 3',
      `  listenPeer: 127.0.0.1:${peerPorts[id]}`,
      `  host: ${HOST_OF[id]}`,
      `  primary: ${id === 'scs-a'}`,
      '  peer:',
      `    id: ${peer}`,
      `    host: ${HOST_OF[peer]}`,
      `    address: "127.0.0.1:${peerPorts[peer]}"`,
      ...demoPairYaml({ lcaPorts, appPorts, appAddpTimeout: s.appAddpTimeout }),
    ];
    return `${lines.join('\n')}\n`;
  }

  /** Starts (or starts again) one SCS; each incarnation logs to its own file. */
  startScs(id: ScsId): Daemon {
    const n = (this.incarnations.get(id) ?? 0) + 1;
    this.incarnations.set(id, n);
    const daemon = spawnDaemon(`${id}-${n}`, this.dir, [], ['scs', '--config', this.configs.get(id) as string, '--log-level', this.settings.logLevel]);
    this.tracked.add(daemon.pid, { group: false });
    this.scs.set(id, daemon);
    return daemon;
  }

  daemon(id: ScsId): Daemon {
    const daemon = this.scs.get(id);
    if (daemon === undefined) throw new Error(`${id} was never started`);
    return daemon;
  }

  url(id: ScsId): string {
    return this.urls.get(id) as string;
  }

  /** SIGKILLs one SCS and waits until it is reaped; its pid is then forgotten (it may be reused). */
  async reap(id: ScsId): Promise<void> {
    const daemon = this.daemon(id);
    await daemon.end();
    this.tracked.forget(daemon.pid);
  }

  async get<T>(id: ScsId, path: string, timeoutMs = 2000): Promise<T> {
    const response = await fetch(`${this.url(id)}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`${id} GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async status(id: ScsId): Promise<StatusBody> {
    const body = await this.get<StatusBody>(id, '/api/v1/status');
    for (const app of body.applications) this.track(app.pid);
    return body;
  }

  /** Every journal event with seq > `since` (the journal of a benchmark stays small). */
  async events(id: ScsId, since = 0): Promise<JournalEvent[]> {
    const all: JournalEvent[] = [];
    for (let after = since; ;) {
      const page = await this.get<JournalEvent[]>(id, `/api/v1/events?since=${after}&limit=10000`);
      all.push(...page);
      const last = page.at(-1);
      if (page.length < 10_000 || last === undefined) return all;
      after = last.seq;
    }
  }

  tail(id: ScsId, n = 8): string {
    return this.scs.get(id)?.tail(n) ?? '(not started)';
  }

  private track(pid: number | null): void {
    if (pid === null || this.appPids.has(pid)) return;
    this.appPids.add(pid);
    this.tracked.add(pid, { group: true });
  }

  /** Kills both SCSs, the LCAs and every application they launched; removes the directory. */
  async stop(): Promise<void> {
    try {
      for (const daemon of this.scs.values()) await daemon.end();
      await Promise.all(this.lcas.map((d) => d.end()));
      for (const host of HOSTS) for (const pid of launchedPids(join(this.dir, `lca-${host}`))) this.track(pid);
      for (const pid of this.appPids) if (isAlive(pid)) killGroup(pid);
    } finally {
      process.off('exit', this.killLaunchedOnExit);
      for (const daemon of [...this.scs.values(), ...this.lcas]) if (!daemon.alive) this.tracked.forget(daemon.pid);
      for (const pid of this.appPids) if (!isAlive(pid)) this.tracked.forget(pid);
      this.tracked.killAll();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Runs `body` against a fresh SCS pair; afterwards every process of it is gone. */
export async function withScsPair<T>(settings: ScsPairSettings, body: (pair: ScsPairSolution) => Promise<T>): Promise<T> {
  const pair = new ScsPairSolution(settings);
  try {
    await pair.start();
    return await body(pair);
  } finally {
    await pair.stop();
  }
}
