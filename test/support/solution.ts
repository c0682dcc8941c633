// A whole local solution for integration tests: real `mlayer lca` processes (one per host), a
// generated configuration file, a real `mlayer scs` process, and helpers to read its API and
// wait for its events. Cleanup stops every process, including the applications.

import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_APP, type LogLine, MLAYER, type RunningLca, cleanupDaemons, freePort, spawnDaemon, startLca, lcaLogSources, tempDir, withLogs, writeSecret } from './daemons.js';
import { pollUntil } from './wait.js';

export interface AppDef {
  readonly name: string;
  readonly host: string;
  readonly backup?: string;
  readonly redundancy?: 'warm-standby' | 'hot-standby';
  readonly kind?: 'generic' | 'config-server';
  /** Extra YAML lines for this application (indented by the caller's 4 spaces). */
  readonly extra?: readonly string[];
}

export interface SolutionOptions {
  readonly hosts: readonly string[];
  readonly apps: readonly AppDef[];
  readonly addpTimeout?: number;
  readonly appAddpTimeout?: number;
  readonly disconnectSwitchoverTimeout?: number;
  readonly token?: string;
  readonly startWindow?: number;
}

export interface Event {
  readonly seq: number;
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface RunningScs {
  readonly process: ChildProcess;
  readonly logs: LogLine[];
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export class TestSolution {
  readonly dir = tempDir('mlayer-solution-');
  readonly secret = writeSecret(this.dir, 'solution-test-secret-0123456789').secret;
  readonly lcas = new Map<string, RunningLca>();
  readonly ports = new Map<string, number>();
  /** Where the SCS reaches each LCA, when not directly (e.g. through a partition proxy). */
  readonly lcaAddress = new Map<string, string>();
  configFile = '';
  url = '';
  scs: RunningScs | undefined;

  constructor(readonly options: SolutionOptions) {}

  /** Starts the LCAs, writes the configuration and starts the SCS; `beforeScs` runs in between. */
  async start(beforeScs?: (solution: this) => Promise<void>): Promise<this> {
    for (const host of this.options.hosts) {
      this.lcas.set(host, await startLca({ name: host, secret: this.secret, stateDir: join(this.dir, `lca-${host}`) }));
    }
    await beforeScs?.(this);
    for (const app of this.options.apps) this.ports.set(app.name, await freePort());
    const httpPort = await freePort();
    this.url = `http://127.0.0.1:${httpPort}`;
    this.configFile = join(this.dir, 'solution.yaml');
    writeFileSync(this.configFile, this.yaml(httpPort));
    await this.startScs();
    return this;
  }

  yaml(httpPort: number): string {
    const o = this.options;
    const lines = [
      'scs:',
      '  id: scs-a',
      `  http: 127.0.0.1:${httpPort}`,
      `  journal: ./journal`,
      `  lcaSecretFile: ./lca.secret`,
      ...(o.token ? ['  tokenFile: ./api-token'] : []),
      `  addp: { timeout: ${o.addpTimeout ?? 1}, remoteTimeout: ${o.addpTimeout ?? 1} }`,
      `  disconnectSwitchoverTimeout: ${o.disconnectSwitchoverTimeout ?? 0}`,
      `  startWindow: ${o.startWindow ?? 3}`,
      'hosts:',
      ...o.hosts.map((h) => `  - { name: ${h}, lca: "${this.lcaAddress.get(h) ?? `127.0.0.1:${this.lcas.get(h)?.port}`}" }`),
      'applications:',
    ];
    for (const app of o.apps) {
      lines.push(
        `  - name: ${app.name}`,
        `    host: ${app.host}`,
        `    command: ${DEMO_APP}`,
        `    args: ["--port", "${this.ports.get(app.name)}"${app.kind === 'config-server' ? ', "--kind", "config-server"' : ''}]`,
        `    addp: { timeout: ${o.appAddpTimeout ?? 1} }`,
        `    restart: { initialDelay: 0.2, maxDelay: 2 }`,
        `    startTimeout: 15`,
        `    stopTimeout: 3`,
        ...(app.kind ? [`    kind: ${app.kind}`] : []),
        ...(app.backup ? [`    backup: ${app.backup}`, `    redundancy: ${app.redundancy ?? 'warm-standby'}`] : []),
        ...(app.extra ?? []),
      );
    }
    if (o.token) writeFileSync(join(this.dir, 'api-token'), `${o.token}\n`, { mode: 0o600 });
    return `${lines.join('\n')}\n`;
  }

  async startScs(): Promise<RunningScs> {
    const daemon = await spawnDaemon([MLAYER, 'scs', '--config', this.configFile, '--log-level', 'debug'], 'the SCS to serve its API', 'SCS started', 'mlayer scs');
    this.scs = daemon;
    return daemon;
  }

  async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async post(path: string, token = this.options.token): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url}${path}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, body: await response.json() };
  }

  async events(since = 0): Promise<Event[]> {
    return this.get<Event[]>(`/api/v1/events?since=${since}&limit=10000`);
  }

  /** Waits for an event that matches (already journaled or future). */
  async waitForEvent(what: string, match: (e: Event) => boolean, timeoutMs = 30_000): Promise<Event> {
    return pollUntil(what, async () => (await this.events()).find(match), { timeoutMs, intervalMs: 50 }).catch((e: unknown) => {
      throw withLogs(e, this.logSources());
    });
  }

  async app(name: string): Promise<{ status: string; role: string; desiredRole: string; pid: number | null }> {
    return this.get(`/api/v1/applications/${name}`);
  }

  /** Waits until the application shows the given status and acknowledged role. */
  async waitForApp(name: string, status: string, role: string, timeoutMs = 30_000): Promise<{ pid: number | null }> {
    return pollUntil(`${name} to be ${status} with role ${role}`, async () => {
      const app = await this.app(name).catch(() => undefined);
      return app && app.status === status && app.role === role ? app : undefined;
    }, { timeoutMs, intervalMs: 50 }).catch((e: unknown) => {
      throw withLogs(e, this.logSources());
    });
  }

  /** Every daemon's logs, for a failed wait to show. */
  logSources(): Record<string, LogLine[] | undefined> {
    return { scs: this.scs?.logs, ...lcaLogSources(this.lcas) };
  }

  port(app: string): number {
    return this.ports.get(app) as number;
  }

  async stopAll(): Promise<void> {
    await this.scs?.kill();
    for (const lca of this.lcas.values()) await lca.kill();
    await cleanupDaemons();
  }
}
