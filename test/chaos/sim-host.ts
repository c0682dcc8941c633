// Simulated application processes on one host. The LCA launches and signals them through a
// ProcessControl (one per LCA run, dead when that LCA crashes: a crashed LCA hears of no exit);
// each process registers through the real SDK (`connectToLca`) over an in-memory link, reports
// `started`, follows role changes (optionally slowly), answers fact queries, and can crash, hang
// or report Service Unavailable. Processes outlive the LCA that started them.

import { APP_ENV, type AppSpec, type Logger, type ReportableStatus, type Role } from '@mlayer/common';
import type { LaunchedProcess, ProcessControl } from '@mlayer/lca';
import { type Facts, type LcaClient, connectToLca } from '@mlayer/lca/app';
import { Lifetime } from './lifetime.js';
import type { Network, NetNode } from './network.js';

/** Simulated start-up: spawn → SDK registration → `started`. */
export const BOOT_MS = 50;
export const INIT_MS = 100;

export interface SimHooks {
  readonly network: Network;
  readonly logger: Logger;
  readonly random: () => number;
  /** The facts this process would report now (Config Server: whether it sees its peer). */
  facts(process: SimProcess): Facts;
  /** The LCA asked the application to take a role (its role handler starts). */
  roleRequested(process: SimProcess, role: Role): void;
  /** Why the application itself refuses `role` now, if it does (a Config Server's own check). */
  refusal(process: SimProcess, role: Role): string | undefined;
  /** The SDK acknowledged a role (the role handler finished). */
  roleAcked(process: SimProcess, role: Role): void;
  exited(process: SimProcess): void;
}

type ExitListener = (code: number | null, signal: string | null) => void;

export class SimProcess {
  readonly lifetime = new Lifetime();
  readonly node: NetNode;
  alive = true;
  hung = false;
  /** What the application reports (once registered). */
  status: ReportableStatus = 'initializing';
  client: LcaClient | undefined;
  /** While > 0, the role handler takes this long (a slow acknowledgement). */
  slowAckMs = 0;
  /** When it acknowledged its current role. */
  roleSince = 0;
  /** Asked to stop gracefully: it is leaving, whatever role it still holds. */
  suspending = false;
  /** The Config Server fault: it claims to see its peer whatever the truth. */
  forcePeerUp = false;
  /** The facts it last answered a query with, and the facts it last reported (and when). */
  lastAnswer: Facts | undefined;
  lastAnswerAt = -Infinity;
  lastReported: Facts = {};
  lastReportedAt = -Infinity;
  exitCode: number | null = null;
  exitSignal: string | null = null;
  private readonly exitListeners: ExitListener[] = [];

  constructor(
    readonly pid: number,
    readonly spec: AppSpec,
    readonly host: string,
    readonly env: Readonly<Record<string, string>>,
    private readonly hooks: SimHooks,
  ) {
    this.node = hooks.network.node(`${spec.name}[${pid}]`, host);
    this.lifetime.setTimeout(() => void this.boot(), BOOT_MS);
  }

  get name(): string {
    return this.spec.name;
  }

  /** The role it acknowledged last (what it acts as). */
  get role(): Role {
    return this.client?.role ?? 'none';
  }

  /** Registered with an LCA right now. */
  get registered(): boolean {
    return this.client?.connected ?? false;
  }

  onExit(listener: ExitListener): void {
    this.exitListeners.push(listener);
  }

  report(status: ReportableStatus): void {
    if (!this.alive || this.status === 'initializing') return;
    this.status = status;
    this.client?.reportStatus(status);
  }

  /** Tells the LCA its facts if they changed (a hung process tells nothing). */
  refreshFacts(): void {
    if (!this.alive || this.hung || !this.client) return;
    const facts = this.hooks.facts(this);
    if (JSON.stringify(facts) === JSON.stringify(this.lastReported)) return;
    this.lastReported = facts;
    this.lastReportedAt = Date.now();
    this.client.reportFacts(facts);
  }

  hang(): void {
    if (!this.alive || this.hung) return;
    this.hung = true;
    this.lifetime.freeze();
    this.hooks.network.stall(this.node);
  }

  unhang(): void {
    if (!this.alive || !this.hung) return;
    this.hung = false;
    this.hooks.network.resume(this.node);
    this.lifetime.thaw();
  }

  /** The process ends: its sockets close at once, whoever started it hears of it a moment later. */
  exit(code: number | null, signal: string | null): void {
    if (!this.alive) return;
    this.alive = false;
    this.hung = false;
    this.exitCode = code;
    this.exitSignal = signal;
    this.lifetime.kill();
    this.hooks.network.kill(this.node);
    this.hooks.exited(this);
    process.nextTick(() => {
      for (const listener of this.exitListeners.splice(0)) listener(code, signal);
    });
  }

  /** A signal from the LCA: SIGKILL always ends it; SIGTERM needs a running event loop. */
  signal(signal: NodeJS.Signals): void {
    if (!this.alive) return;
    if (signal === 'SIGKILL') process.nextTick(() => this.exit(null, 'SIGKILL'));
    else if (signal === 'SIGTERM' && !this.hung) process.nextTick(() => this.exit(0, null));
  }

  private async boot(): Promise<void> {
    try {
      this.client = await connectToLca({
        env: this.env,
        logger: this.hooks.logger,
        clock: this.lifetime,
        connect: this.hooks.network.connectFrom(this.node),
        reconnect: { random: this.hooks.random },
        onRole: (role) => this.takeRole(role),
        onSuspend: () => {
          this.suspending = true;
          this.lifetime.setTimeout(() => this.exit(0, null), 10);
        },
        onQueryFacts: () => {
          const facts = this.hooks.facts(this);
          this.lastAnswer = facts;
          this.lastAnswerAt = Date.now();
          return facts;
        },
      });
    } catch {
      this.exit(1, null); // like the demo app: no LCA to register with is fatal at start
      return;
    }
    if (!this.alive) return;
    this.client.on('role', (role) => {
      this.roleSince = Date.now();
      this.hooks.roleAcked(this, role);
    });
    this.lifetime.setTimeout(() => {
      this.status = 'started';
      this.refreshFacts();
      this.client?.reportStatus('started');
    }, INIT_MS);
  }

  private async takeRole(role: Role): Promise<void> {
    this.hooks.roleRequested(this, role);
    const delay = this.slowAckMs;
    if (delay > 0) await new Promise<void>((resolve) => this.lifetime.setTimeout(resolve, delay));
    const refusal = this.hooks.refusal(this, role);
    if (refusal !== undefined) throw new Error(refusal);
  }
}

/** The process table of one host: it outlives every LCA run on the host. */
export class SimHost {
  readonly processes = new Map<number, SimProcess>();

  constructor(readonly name: string, private readonly hooks: SimHooks, private readonly nextPid: () => number) {}

  spawn(spec: AppSpec, env: Readonly<Record<string, string>>): SimProcess {
    const process = new SimProcess(this.nextPid(), spec, this.name, env, this.hooks);
    this.processes.set(process.pid, process);
    return process;
  }

  /** The live process running `app`, if any. */
  running(app: string): SimProcess | undefined {
    let found: SimProcess | undefined;
    for (const p of this.processes.values()) if (p.alive && p.name === app) found = p;
    return found;
  }

  live(): SimProcess[] {
    return [...this.processes.values()].filter((p) => p.alive);
  }

  /** What one LCA run uses to start and signal processes; dead once that LCA crashes. */
  control(): ProcessControl & { kill(): void } {
    let dead = false;
    return {
      launch: async (spec, env): Promise<LaunchedProcess> => {
        if (dead) throw new Error('the LCA that asked is gone');
        const process = this.spawn(spec, env);
        return {
          pid: process.pid,
          startTime: `t${process.pid}`,
          onExit: (listener) => process.onExit((code, signal) => {
            if (!dead) listener(code, signal);
          }),
        };
      },
      signal: (pid, signal) => {
        const process = this.processes.get(pid);
        if (dead || !process?.alive) return false;
        process.signal(signal);
        return true;
      },
      isAlive: (pid, startTime) => {
        const process = this.processes.get(pid);
        return process !== undefined && process.alive && (startTime === null || startTime === `t${pid}`);
      },
      // As /proc's environ scan in production (launcher.ts).
      findByToken: (tokens) => {
        const found = new Map<string, { pid: number; startTime: string }>();
        for (const p of this.live()) {
          const token = p.env[APP_ENV.token];
          if (token !== undefined && tokens.has(token) && !found.has(token)) found.set(token, { pid: p.pid, startTime: `t${p.pid}` });
        }
        return found;
      },
      kill: () => {
        dead = true;
      },
    };
  }
}
