// Two real SCSs on two hosts (real LCAs, real demo apps), with partition proxies on the direct
// SCS link (both directions) and on the backup SCS's link to the LCA of the primary SCS's host.
//
//   scs-a (host-a, preferred) ──proxy.toB──► scs-b listenPeer
//   scs-b (host-b)            ──proxy.toA──► scs-a listenPeer
//   scs-b ──proxy.lcaA──► LCA host-a          (scs-a reaches both LCAs directly)

import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_APP, type LogLine, MLAYER, type RunningLca, cleanupDaemons, freePort, spawnDaemon, startLca, lcaLogSources, tempDir, withLogs, writeSecret } from './daemons.js';
import { PartitionProxy } from './partition-proxy.js';
import { pollUntil } from './wait.js';

export interface ScsProcess {
  readonly id: 'scs-a' | 'scs-b';
  readonly url: string;
  readonly configFile: string;
  process: ChildProcess | undefined;
  logs: LogLine[];
}

export interface Event {
  readonly seq: number;
  readonly type: string;
  readonly [key: string]: unknown;
}

interface Status {
  scs: { id: string; role: string; epoch: number; peer?: { id: string; connected: boolean; url?: string } };
  hosts: Array<{ name: string; connected: boolean }>;
  applications: Array<{ name: string; status: string; role: string; pid: number | null }>;
}

export class TestScsPair {
  readonly dir = tempDir('mlayer-scs-pair-');
  readonly secret = writeSecret(this.dir, 'scs-pair-test-secret-0123456789').secret;
  readonly lcas = new Map<string, RunningLca>();
  readonly ports = new Map<string, number>();
  readonly proxies: { toA?: PartitionProxy; toB?: PartitionProxy; lcaA?: PartitionProxy } = {};
  readonly scs: Record<'scs-a' | 'scs-b', ScsProcess> = {} as Record<'scs-a' | 'scs-b', ScsProcess>;

  constructor(readonly options: { addpTimeout?: number; disconnectSwitchoverTimeout?: number } = {}) {}

  async start(): Promise<this> {
    for (const host of ['host-a', 'host-b']) {
      this.lcas.set(host, await startLca({ name: host, secret: this.secret, stateDir: join(this.dir, `lca-${host}`) }));
    }
    for (const app of ['stat-a', 'stat-b']) this.ports.set(app, await freePort());
    const peerPort = { 'scs-a': await freePort(), 'scs-b': await freePort() };
    const httpPort = { 'scs-a': await freePort(), 'scs-b': await freePort() };
    this.proxies.toA = await new PartitionProxy({ host: '127.0.0.1', port: peerPort['scs-a'] }).start();
    this.proxies.toB = await new PartitionProxy({ host: '127.0.0.1', port: peerPort['scs-b'] }).start();
    this.proxies.lcaA = await new PartitionProxy({ host: '127.0.0.1', port: this.lca('host-a').port }).start();
    for (const id of ['scs-a', 'scs-b'] as const) {
      const configFile = join(this.dir, `${id}.yaml`);
      writeFileSync(configFile, this.yaml(id, peerPort[id], httpPort[id]));
      this.scs[id] = { id, url: `http://127.0.0.1:${httpPort[id]}`, configFile, process: undefined, logs: [] };
    }
    // Both settle before a failure is thrown, so that stopAll() finds every process started.
    const started = await Promise.allSettled([this.startScs('scs-a'), this.startScs('scs-b')]);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    return this;
  }

  lca(host: string): RunningLca {
    return this.lcas.get(host) as RunningLca;
  }

  private yaml(id: 'scs-a' | 'scs-b', listenPort: number, httpPort: number): string {
    const t = this.options.addpTimeout ?? 1;
    const other = id === 'scs-a' ? 'scs-b' : 'scs-a';
    const peerAddress = id === 'scs-a' ? this.proxies.toB?.address : this.proxies.toA?.address;
    const lcaA = id === 'scs-a' ? `127.0.0.1:${this.lca('host-a').port}` : this.proxies.lcaA?.address;
    const app = (name: string, host: string, backup?: string) => [
      `  - name: ${name}`,
      `    host: ${host}`,
      `    command: ${DEMO_APP}`,
      `    args: ["--port", "${this.ports.get(name)}"]`,
      '    addp: { timeout: 1 }',
      '    restart: { initialDelay: 0.2, maxDelay: 2 }',
      ...(backup ? [`    backup: ${backup}`, '    redundancy: warm-standby'] : []),
    ];
    return [
      'scs:',
      `  id: ${id}`,
      `  http: 127.0.0.1:${httpPort}`,
      `  journal: ./journal-${id}`,
      '  lcaSecretFile: ./lca.secret',
      `  addp: { timeout: ${t}, remoteTimeout: ${t} }`,
      `  disconnectSwitchoverTimeout: ${this.options.disconnectSwitchoverTimeout ?? 0}`,
      '  startWindow: 3',
      `  listenPeer: 127.0.0.1:${listenPort}`,
      `  host: ${id === 'scs-a' ? 'host-a' : 'host-b'}`,
      `  primary: ${id === 'scs-a'}`,
      '  peer:',
      `    id: ${other}`,
      `    host: ${other === 'scs-a' ? 'host-a' : 'host-b'}`,
      `    address: "${peerAddress}"`,
      'hosts:',
      `  - { name: host-a, lca: "${lcaA}" }`,
      `  - { name: host-b, lca: "127.0.0.1:${this.lca('host-b').port}" }`,
      'applications:',
      ...app('stat-a', 'host-a', 'stat-b'),
      ...app('stat-b', 'host-b'),
      '',
    ].join('\n');
  }

  async startScs(id: 'scs-a' | 'scs-b'): Promise<void> {
    const scs = this.scs[id];
    const daemon = await spawnDaemon([MLAYER, 'scs', '--config', scs.configFile, '--log-level', 'debug'], `${id} to serve`, 'SCS started', id);
    scs.process = daemon.process;
    scs.logs = daemon.logs;
  }

  async kill(id: 'scs-a' | 'scs-b'): Promise<void> {
    const child = this.scs[id]?.process;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }

  async status(id: 'scs-a' | 'scs-b'): Promise<Status> {
    const response = await fetch(`${this.scs[id].url}/api/v1/status`);
    return (await response.json()) as Status;
  }

  async events(id: 'scs-a' | 'scs-b'): Promise<Event[]> {
    const response = await fetch(`${this.scs[id].url}/api/v1/events?since=0&limit=10000`);
    return (await response.json()) as Event[];
  }

  async waitForRole(id: 'scs-a' | 'scs-b', role: string, timeoutMs = 30_000): Promise<Status> {
    return this.pollStatus(id, `${id} to be ${role}`, (status) => (status.scs.role === role ? status : undefined), timeoutMs);
  }

  async waitForApp(id: 'scs-a' | 'scs-b', app: string, status: string, role: string, timeoutMs = 30_000): Promise<{ pid: number | null }> {
    return this.pollStatus(id, `${app} ${status}/${role} on ${id}`, (s) => {
      const a = s.applications.find((x) => x.name === app);
      return a && a.status === status && a.role === role ? a : undefined;
    }, timeoutMs);
  }

  /** Polls `id`'s status until `match` yields; a timeout says what was seen last (or why nothing was) and what every daemon logged. */
  private async pollStatus<T>(id: 'scs-a' | 'scs-b', what: string, match: (status: Status) => T | undefined, timeoutMs: number): Promise<T> {
    let last = 'no answer yet';
    return pollUntil(what, async () => {
      const child = this.scs[id]?.process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${id} exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}`);
      const status = await this.status(id).then(
        (s) => {
          last = `role ${s.scs.role}, epoch ${s.scs.epoch}, peer ${s.scs.peer?.connected ? 'seen' : 'not seen'}, hosts ${s.hosts.map((h) => `${h.name}=${h.connected ? 'up' : 'down'}`).join(' ')}`;
          return s;
        },
        (error: unknown) => {
          last = `status request failed: ${String(error)}`;
          return undefined;
        },
      );
      return status && match(status);
    }, { timeoutMs, intervalMs: 25 }).catch((e: unknown) => {
      throw withLogs(new Error(`${(e as Error).message} (last seen of ${id}: ${last})`), this.logSources());
    });
  }

  /** Every daemon's logs, for a failed wait to show. */
  logSources(): Record<string, LogLine[] | undefined> {
    return {
      'scs-a': this.scs['scs-a']?.logs,
      'scs-b': this.scs['scs-b']?.logs,
      ...lcaLogSources(this.lcas),
    };
  }

  async stopAll(): Promise<void> {
    await this.kill('scs-a');
    await this.kill('scs-b');
    for (const proxy of Object.values(this.proxies)) await proxy?.close();
    for (const lca of this.lcas.values()) await lca.kill();
    await cleanupDaemons();
  }
}
