// The application SDK: how a process launched by an LCA registers, reports its status and
// facts, takes role changes (the handler's completion is the acknowledgement) and handles a
// graceful stop. It keeps its own link to the LCA alive: if the LCA goes away, it reconnects
// with jittered backoff and tells the new LCA its full state, so the LCA can re-adopt it.

import { EventEmitter } from 'node:events';
import { type Connection, type ConnectOptions, type LostInfo, connect as addpConnect } from '@mlayer/addp';
import {
  APP_ENV,
  Backoff,
  type Clock,
  type Logger,
  MlayerError,
  type ReportableStatus,
  type Role,
  type TimerHandle,
  appRequestSchema,
  errorMessage,
  parseHostPort,
  silentLogger,
  systemClock,
} from '@mlayer/common';

export type Facts = Record<string, string>;

export interface LcaClientOptions {
  /** Where the LCA's variables are read from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** Takes a new role; resolve to acknowledge it, throw to refuse. */
  readonly onRole?: (role: Role) => void | Promise<void>;
  /** Graceful stop: finish up and exit. Default: the process sends itself SIGTERM. */
  readonly onSuspend?: () => void | Promise<void>;
  /** Fresh facts on demand (e.g. for the Config Server guard). Default: the last reported ones. */
  readonly onQueryFacts?: () => Facts | Promise<Facts>;
  readonly reconnect?: { readonly initialMs?: number; readonly maxMs?: number; readonly random?: () => number };
  readonly clock?: Clock;
  /** ADDP connect, injected by tests. */
  readonly connect?: (options: ConnectOptions) => Promise<Connection>;
}

export interface LcaClientEvents {
  /** A role was acknowledged (after `onRole` resolved). */
  role: [Role];
  connected: [];
  disconnected: [LostInfo];
  suspend: [];
}

interface Target {
  readonly app: string;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
}

function readEnvironment(env: Readonly<Record<string, string | undefined>>): Target {
  const address = env[APP_ENV.lcaAddress];
  const app = env[APP_ENV.appName];
  const token = env[APP_ENV.token];
  if (!address || !app || !token) {
    throw new MlayerError(
      'ENOTLAUNCHED',
      `not started by an mlayer LCA: ${APP_ENV.lcaAddress}, ${APP_ENV.appName} and ${APP_ENV.token} must be set (the LCA sets them when it launches the application)`,
    );
  }
  const { host, port } = parseHostPort(address, APP_ENV.lcaAddress);
  const timeoutMs = Number(env[APP_ENV.addpTimeoutMs] ?? 0);
  return { app, token, host, port, timeoutMs: Number.isFinite(timeoutMs) && timeoutMs >= 0 ? Math.round(timeoutMs) : 0 };
}

export class LcaClient extends EventEmitter<LcaClientEvents> {
  readonly app: string;
  private link: Connection | undefined;
  private currentStatus: ReportableStatus = 'initializing';
  private currentRole: Role = 'none';
  private facts: Facts = {};
  private closing = false;
  private retry: TimerHandle | undefined;
  /** The role change in progress (they run one after the other). */
  private roleChanges: Promise<unknown> = Promise.resolve();
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(private readonly target: Target, private readonly options: LcaClientOptions) {
    super();
    this.app = target.app;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger).child({ component: 'lca-client', app: target.app });
    const r = options.reconnect ?? {};
    this.backoff = new Backoff({ initialMs: r.initialMs ?? 50, maxMs: r.maxMs ?? 2000, ...(r.random ? { random: r.random } : {}) });
  }

  /** The role this application last acknowledged. */
  get role(): Role {
    return this.currentRole;
  }

  get status(): ReportableStatus {
    return this.currentStatus;
  }

  get connected(): boolean {
    return this.link?.state === 'open';
  }

  /** Reports a status (`started`, `service-unavailable`, ...); kept and re-sent after a reconnection. */
  reportStatus(status: ReportableStatus): void {
    this.currentStatus = status;
    this.link?.send({ type: 'status', status });
  }

  /** Reports facts (merged into the previous ones), e.g. `{ peer: 'down', database: 'up' }`. */
  reportFacts(facts: Facts): void {
    this.facts = { ...this.facts, ...facts };
    this.link?.send({ type: 'facts', facts });
  }

  /** Closes the link for good. The LCA treats a closed link as a failure of a running application. */
  close(): void {
    this.closing = true;
    if (this.retry !== undefined) this.clock.clearTimeout(this.retry);
    this.retry = undefined;
    this.link?.close('application closing');
    this.link = undefined;
  }

  /** First connection: resolves when registered, rejects if the LCA refuses this application. */
  async start(): Promise<void> {
    await this.connectOnce();
  }

  private async connectOnce(): Promise<void> {
    const { host, port, app, token, timeoutMs } = this.target;
    const link = await (this.options.connect ?? addpConnect)({
      host,
      port,
      name: app,
      auth: { scheme: 'app-token', app, token, pid: process.pid },
      settings: { timeoutMs, remoteTimeoutMs: timeoutMs, trace: 'off' },
      logger: this.log,
      clock: this.clock,
      // Set at once: the LCA may ask for a role in the same read as its HELLO_ACK.
      onRequest: (payload) => this.onRequest(payload),
    });
    if (this.closing) {
      link.close('application closing');
      return;
    }
    this.link = link;
    this.backoff.reset();
    link.once('lost', (info) => this.onLost(link, info));
    link.send({ type: 'state', status: this.currentStatus, role: this.currentRole, facts: this.facts });
    this.log.info('registered with the LCA', { lca: `${host}:${port}` });
    this.emit('connected');
  }

  private async onRequest(payload: unknown): Promise<unknown> {
    const request = appRequestSchema.parse(payload);
    switch (request.type) {
      case 'set-role':
        return this.takeRole(request.role);
      case 'query-facts':
        if (this.options.onQueryFacts) this.facts = { ...this.facts, ...(await this.options.onQueryFacts()) };
        return { facts: this.facts };
      case 'suspend':
        this.currentStatus = 'suspending';
        this.emit('suspend');
        if (this.options.onSuspend) await this.options.onSuspend();
        else setImmediate(() => process.kill(process.pid, 'SIGTERM'));
        return { ok: true };
    }
  }

  /**
   * Role changes are taken one at a time, in the order they were asked for: a slow change to
   * primary must not finish after (and so undo) a later change to backup.
   */
  private takeRole(role: Role): Promise<{ role: Role }> {
    const taken = this.roleChanges.then(async () => {
      await this.options.onRole?.(role);
      this.currentRole = role;
      // The reply may never be read (the LCA stopped waiting for a slow handler, or the link
      // was replaced meanwhile): the state message tells the current LCA the role all the same.
      this.link?.send({ type: 'state', status: this.currentStatus, role: this.currentRole, facts: this.facts });
      this.emit('role', role);
      return { role };
    });
    this.roleChanges = taken.catch(() => undefined);
    return taken;
  }

  private onLost(link: Connection, info: LostInfo): void {
    if (this.link === link) this.link = undefined;
    if (this.closing) return;
    this.log.warn('lost the LCA; reconnecting', { reason: info.reason, detail: info.message });
    this.emit('disconnected', info);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.retry !== undefined) return;
    const delay = this.backoff.next();
    this.retry = this.clock.setTimeout(() => {
      this.retry = undefined;
      this.connectOnce().catch((error: unknown) => {
        this.log.debug('reconnect to the LCA failed', { attempt: this.backoff.attempts, error: errorMessage(error) });
        this.scheduleReconnect();
      });
    }, delay);
    this.retry.unref?.();
  }
}

/**
 * Registers this process with the LCA that launched it (found through the environment the LCA
 * set) and returns the client once registered.
 */
export async function connectToLca(options: LcaClientOptions = {}): Promise<LcaClient> {
  const client = new LcaClient(readEnvironment(options.env ?? process.env), options);
  await client.start();
  return client;
}
