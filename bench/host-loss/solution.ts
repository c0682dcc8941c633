// The in-process solution of the host-loss-scale suite: a real SolutionControlServer (no HTTP) in
// this process, configured from a real YAML file as `mlayer scs` is, with two hosts of one of
// two kinds:
//   real  two real LocalControlAgents in this process, linked to the SCS in memory, whose
//         applications are real SDK clients without processes (simulated-apps.ts);
//   fake  two protocol-level LCAs (bench/scs-scale/fake-lca.ts) on loopback TCP, each in a
//         worker thread of its own, that acknowledge every role at once: what is left to time
//         on this thread is the SCS itself.
// A host is lost by closing the SCS's link to its LCA (what the SCS sees when the LCA's machine
// dies and its kernel closes the socket) and refusing new links until it heals.

import { type WriteStream, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AddpError } from '@mlayer/addp';
import type { MemoryLink } from '@mlayer/addp/internal';
import { type Logger, createLogger } from '@mlayer/common';
import { loadConfig } from '@mlayer/common/config';
import { LocalControlAgent } from '@mlayer/lca';
import type { Role } from '@mlayer/lca/app';
import { type JournalEvent, SolutionControlServer, solutionFromConfig } from '@mlayer/scs';
import { tsxWorkerBoot } from '../../test/support/tsx-worker.js';
import type { FakeHostCommand, FakeHostData } from './fake-host-worker.js';
import { type ConnectFunction, memoryConnect } from './memory-connect.js';
import { SimulatedApps } from './simulated-apps.js';
import { SwitchableStateStore } from './state-stores.js';
import { makeTempDir, removeTempDir } from '../lib/temp-dirs.js';

const SECRET = 'host-loss-benchmark-shared-secret-0123456789';
export const HOSTS = ['host-a', 'host-b'] as const;
export type HostName = (typeof HOSTS)[number];
export type LcaKind = 'real' | 'fake';

export interface SolutionShape {
  readonly lcas: LcaKind;
  readonly pairs: number;
  /** Seconds: scs.addp. */
  readonly scsAddpTimeout: number;
  /** Seconds: the application ↔ LCA keep-alive (real LCAs only). */
  readonly appAddpTimeout: number;
}

/** A journal event with performance.now() of when this process's subscriber saw it (after its fsync). */
export type SeenEvent = JournalEvent & { readonly seenAt: number };

export interface RoleAck {
  readonly app: string;
  readonly role: Role;
  /** performance.now() when the application's SDK acknowledged it. */
  readonly at: number;
}

export const primaryName = (i: number): string => `p${String(i).padStart(4, '0')}`;
export const backupName = (i: number): string => `b${String(i).padStart(4, '0')}`;
/** Primaries start on host-a, backups on host-b. */
const appsOf = (host: HostName, pairs: number) => Array.from({ length: pairs }, (_, i) => (host === 'host-a' ? primaryName(i) : backupName(i)));

/** One host as the benchmark drives it. */
interface SimHost {
  readonly name: HostName;
  /** Where the configuration says its LCA listens. */
  readonly port: number;
  cut(): void;
  heal(): Promise<void>;
  stop(): Promise<void>;
}

/** A real LCA in this process, reached by the SCS over in-memory links. */
class RealHost implements SimHost {
  readonly scsLinks = new Set<MemoryLink>();
  down = false;

  constructor(readonly name: HostName, readonly port: number, readonly lca: LocalControlAgent, readonly apps: SimulatedApps, readonly store: SwitchableStateStore) {}

  static async start(name: HostName, port: number, dir: string, logger: Logger, onAck: (ack: RoleAck) => void): Promise<RealHost> {
    const apps = new SimulatedApps((app, role, at) => onAck({ app, role, at }));
    const stateDir = join(dir, `lca-${name}`);
    mkdirSync(stateDir, { recursive: true });
    const store = new SwitchableStateStore(stateDir, logger);
    const lca = new LocalControlAgent({ listen: { host: '127.0.0.1', port }, name, secret: SECRET, stateDir, logger, processes: apps, bind: false, store });
    apps.connect = memoryConnect((socket) => lca.acceptSocket(socket));
    await lca.start();
    return new RealHost(name, port, lca, apps, store);
  }

  /** The SCS's link to this LCA; refused while the host is down. */
  connect: ConnectFunction = (options) => {
    if (this.down) return Promise.reject(new AddpError('ADDP_CONNECTION_LOST', `cannot connect to ${options.host}:${options.port}: connect ECONNREFUSED`));
    return memoryConnect((socket) => this.lca.acceptSocket(socket), (link) => {
      this.scsLinks.add(link);
      link.server.once('close', () => this.scsLinks.delete(link));
    })(options);
  };

  cut(): void {
    this.down = true;
    for (const link of this.scsLinks) link.server.destroy();
  }

  async heal(): Promise<void> {
    this.down = false;
  }

  async stop(): Promise<void> {
    this.apps.closeAll();
    await this.lca.stop();
  }
}

/**
 * A protocol-level LCA on loopback TCP (instant acknowledgements), in a worker thread of its
 * own: the SCS's thread does only the SCS's work, as when the LCAs run on other hosts.
 */
class FakeHost implements SimHost {
  private nextId = 0;
  private readonly pending = new Map<number, () => void>();

  private constructor(readonly name: HostName, readonly port: number, private readonly worker: Worker) {
    worker.on('message', (message: { type: string; id?: number }) => {
      if (message.type !== 'done' || message.id === undefined) return;
      this.pending.get(message.id)?.();
      this.pending.delete(message.id);
    });
  }

  static async start(name: HostName, apps: readonly string[]): Promise<FakeHost> {
    const data: FakeHostData = { name, apps, firstPid: name === 'host-a' ? 100_000 : 200_000, secret: SECRET };
    const worker = new Worker(tsxWorkerBoot(new URL('./fake-host-worker.ts', import.meta.url).href), { eval: true, workerData: data });
    const [listening] = (await once(worker, 'message')) as [{ type: string; port: number }];
    return new FakeHost(name, listening.port, worker);
  }

  private command(type: FakeHostCommand['type']): Promise<void> {
    const id = (this.nextId += 1);
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, type } satisfies FakeHostCommand);
    });
  }

  cut(): void {
    void this.command('cut');
  }

  heal(): Promise<void> {
    return this.command('heal');
  }

  async stop(): Promise<void> {
    await this.command('stop');
    await this.worker.terminate();
  }
}

function yaml(shape: SolutionShape, ports: Readonly<Record<HostName, number>>): string {
  const lines = [
    'scs:',
    '  id: scs-host-loss',
    '  http: 127.0.0.1:5099',
    '  journal: ./journal',
    '  lcaSecretFile: ./lca.secret',
    `  addp: { timeout: ${shape.scsAddpTimeout}, remoteTimeout: ${shape.scsAddpTimeout} }`,
    '  disconnectSwitchoverTimeout: 0',
    // Two thousand applications start at once in one process: give the preferred primaries time.
    '  startWindow: 60',
    'hosts:',
    ...HOSTS.map((host) => `  - { name: ${host}, lca: "127.0.0.1:${ports[host]}" }`),
    'applications:',
  ];
  // A generous start timeout: two thousand applications start at once in this one process.
  // Short restart delays: after the unfinished run with state on disk, fenced applications come back quickly.
  const app = `command: simulated-app, addp: { timeout: ${shape.appAddpTimeout} }, startTimeout: 120, restart: { initialDelay: 0.1, maxDelay: 1 }`;
  for (let i = 0; i < shape.pairs; i += 1) {
    // Flapping detection off: the benchmark switches every pair over again and again.
    lines.push(`  - { name: ${primaryName(i)}, host: host-a, ${app}, redundancy: warm-standby, backup: ${backupName(i)}, flapping: { window: 0 } }`);
    lines.push(`  - { name: ${backupName(i)}, host: host-b, ${app} }`);
  }
  return `${lines.join('\n')}\n`;
}

export class HostLossSolution {
  readonly dir = makeTempDir('mlayer-bench-host-loss-');
  readonly events: SeenEvent[] = [];
  /** Role acknowledgements of the simulated applications (real LCAs only). */
  readonly acks: RoleAck[] = [];
  private readonly logStream: WriteStream;
  private readonly logger: Logger;
  private readonly hosts = new Map<HostName, SimHost>();
  private scs: SolutionControlServer | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(readonly shape: SolutionShape) {
    this.logStream = createWriteStream(join(this.dir, 'solution.log'));
    // The production level, to a file, as the daemons log.
    this.logger = createLogger({ level: 'info', stream: this.logStream });
  }

  async start(): Promise<void> {
    writeFileSync(join(this.dir, 'lca.secret'), `${SECRET}\n`, { mode: 0o600 });
    const onAck = (ack: RoleAck) => {
      this.acks.push(ack);
      for (const wake of this.listeners) wake();
    };
    for (const [i, name] of HOSTS.entries()) {
      const host = this.shape.lcas === 'real'
        ? await RealHost.start(name, 5001 + i, this.dir, this.logger, onAck)
        : await FakeHost.start(name, appsOf(name, this.shape.pairs));
      this.hosts.set(name, host);
    }
    const file = join(this.dir, 'solution.yaml');
    writeFileSync(file, yaml(this.shape, { 'host-a': this.host('host-a').port, 'host-b': this.host('host-b').port }));
    const solution = solutionFromConfig(loadConfig(file), { lcaSecret: SECRET });
    const connect: ConnectFunction | undefined = this.shape.lcas === 'real'
      ? (options) => {
        const host = [...this.hosts.values()].find((h) => h.port === options.port);
        if (!(host instanceof RealHost)) return Promise.reject(new AddpError('ADDP_CONNECTION_LOST', `no LCA at ${options.host}:${options.port}`));
        return host.connect(options);
      }
      : undefined; // fake LCAs listen on loopback: the SCS's own TCP connect
    this.scs = new SolutionControlServer(solution, { logger: this.logger, http: false, ...(connect ? { connect } : {}) });
    this.scs.subscribe((event) => {
      this.events.push({ ...event, seenAt: performance.now() });
      for (const wake of this.listeners) wake();
    });
    await this.scs.boot();
  }

  private host(name: HostName): SimHost {
    return this.hosts.get(name) as SimHost;
  }

  /** With real LCAs: both save their state as in production (state.json, fsynced) from now on, or in memory again. */
  async storesOnDisk(onDisk: boolean): Promise<void> {
    for (const host of this.hosts.values()) {
      if (!(host instanceof RealHost)) continue;
      if (onDisk) await host.store.useDisk();
      else await host.store.useMemory();
    }
  }

  /**
   * Resolves once `check` is true: re-checked every `everyMs`, and, with `onEvents`, on every
   * journal event and role ack (for cheap, incremental checks).
   */
  async until(what: string, check: () => boolean, timeoutMs: number, { onEvents = true, everyMs = 50 } = {}): Promise<void> {
    if (check()) return;
    let wake: (() => void) | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        wake = () => {
          if (check()) resolve();
        };
        if (onEvents) this.listeners.add(wake);
        timer = setInterval(wake, everyMs);
        deadline = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      });
    } finally {
      if (wake !== undefined) this.listeners.delete(wake);
      clearInterval(timer);
      clearTimeout(deadline);
    }
  }

  status() {
    if (!this.scs) throw new Error('SCS not started');
    return this.scs.status();
  }

  /** An operator's switchover: make `app` the primary of its pair. */
  async switchover(app: string): Promise<void> {
    if (!this.scs) throw new Error('SCS not started');
    const result = await this.scs.switchover(app);
    if (!result.accepted) throw new Error(`switchover to ${app} refused: ${result.message}`);
  }

  /** The SCS loses host `name`: its link to the LCA closes, new links are refused. */
  cut(name: HostName): void {
    this.host(name).cut();
  }

  heal(name: HostName): Promise<void> {
    return this.host(name).heal();
  }

  async stop(): Promise<void> {
    await this.scs?.shutdown();
    for (const host of this.hosts.values()) await host.stop();
    this.logStream.end();
    await once(this.logStream, 'close').catch(() => undefined);
    removeTempDir(this.dir);
  }
}

/** Runs `body` against a fresh in-process solution; everything is shut down afterwards. */
export async function withHostLossSolution<T>(shape: SolutionShape, body: (solution: HostLossSolution) => Promise<T>): Promise<T> {
  const solution = new HostLossSolution(shape);
  try {
    await solution.start();
    return await body(solution);
  } finally {
    await solution.stop();
  }
}
