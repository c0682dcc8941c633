// The SCS's link to one LCA (one per configured host). It keeps connecting with capped, full-
// jitter backoff; authenticates both ways on the shared secret (lca/auth.ts); takes the LCA's
// snapshot; passes on every validated report; and sends the SCS's commands, which fail fast
// while the link is down. The link status changes in one place (`setStatus`).

import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import {
  type AddpSettings,
  type Connection,
  type LostInfo,
  RemoteError,
  addpSettings,
  connect as addpConnect,
  connectTimeoutFor,
  observeLink,
} from '@mlayer/addp';
import {
  type AppReport,
  type AppSpecInput,
  Backoff,
  type Clock,
  type HostPort,
  type LcaMessage,
  type LcaRequestInput,
  LCA_ERRORS,
  type Logger,
  type Role,
  type Snapshot,
  type TimerHandle,
  ValidationError,
  describeIssues,
  errorMessage,
  formatHostPort,
  lcaRequestSchema,
  silentLogger,
  systemClock,
} from '@mlayer/common';
import { LcaChallenge } from './lca/auth.js';
import { LcaAuthError, LcaDownError } from './lca/errors.js';
import { parseAppReport, parseFactsReply, parseLcaMessage, parseRoleReply, parseSnapshot } from './lca/replies.js';
import { type ConnectFunction, LCA_LINK_DEFAULTS, type LcaLinkEvents, type LcaLinkOptions, type LcaLinkStatus } from './lca/types.js';

export { LcaAuthError, LcaDownError, LcaProtocolError } from './lca/errors.js';
export { LcaChallenge, NO_SECRET_PROOF } from './lca/auth.js';
export * from './lca/types.js';

/** How much longer than the application timeout the SCS waits for the LCA's answer. */
const REPLY_MARGIN_MS = 1000;

/** Closes a link and resolves once its socket is gone (and so every timer of it is cleared). */
async function closeAndWait(connection: Connection, reason: string): Promise<void> {
  if (connection.state === 'closed') return;
  const closed = once(connection, 'close');
  connection.close(reason);
  await closed;
}

export class LcaLink extends EventEmitter<LcaLinkEvents> {
  readonly host: string;
  readonly address: HostPort;
  private readonly options: LcaLinkOptions;
  private readonly where: string;
  private readonly settings: AddpSettings;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly connectFn: ConnectFunction;
  private readonly requestTimeoutMs: number;
  private current: LcaLinkStatus = 'idle';
  private changedAt: Date | null = null;
  /** The current run: bumped by start() and stop() so that work of an earlier run stands down. */
  private run = 0;
  private connection: Connection | undefined;
  /** The TCP socket of the attempt in flight (destroyed by stop()). */
  private socket: net.Socket | undefined;
  private attemptDone: Promise<void> = Promise.resolve();
  private retryTimer: TimerHandle | undefined;
  /** Reports that arrived before the `auth` reply was handled: newer than the snapshot. */
  private early: LcaMessage[] = [];
  private lastFailure: string | undefined;
  private epochValue: number | undefined;

  constructor(options: LcaLinkOptions) {
    super();
    this.options = options;
    this.host = options.host;
    this.address = options.address;
    this.where = `host ${options.host} (${formatHostPort(options.address)})`;
    const addp = options.addp ?? LCA_LINK_DEFAULTS.addp;
    // Checked here, not deep inside a socket callback of the first connection.
    addpSettings({ timeout: addp.timeoutMs / 1000, remoteTimeout: addp.remoteTimeoutMs / 1000, trace: addp.trace });
    this.settings = addp;
    const { initialMs = LCA_LINK_DEFAULTS.backoff.initialMs, maxMs = LCA_LINK_DEFAULTS.backoff.maxMs, random } = options.backoff ?? {};
    this.backoff = new Backoff({ initialMs, maxMs, ...(random ? { random } : {}) });
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger).child({ component: 'lca-link', host: options.host });
    this.connectFn = options.connect ?? addpConnect;
    this.requestTimeoutMs = options.requestTimeoutMs ?? LCA_LINK_DEFAULTS.requestTimeoutMs;
  }

  get status(): LcaLinkStatus {
    return this.current;
  }

  /** Up and authenticated: commands are sent. */
  get connected(): boolean {
    return this.current === 'connected';
  }

  /** When `connected` last changed (null: never connected). */
  get since(): Date | null {
    return this.changedAt;
  }

  /** The last ADDP poll round trip of the live link, in seconds. */
  get rtt(): number | undefined {
    return this.connected ? this.connection?.rtt : undefined;
  }

  get epoch(): number | undefined {
    return this.epochValue;
  }

  /** Sent from now on with every request, and with the `auth` of every later connection (for epoch fencing). */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw new ValidationError(`epoch must be a whole number >= 0 (got ${epoch})`);
    this.epochValue = epoch;
  }

  /** Starts connecting in the background, and keeps reconnecting until stop(). */
  start(): void {
    if (this.current !== 'idle' && this.current !== 'stopped') return;
    this.run += 1;
    this.backoff.reset();
    this.lastFailure = undefined;
    this.log.info('connecting to the LCA', { address: formatHostPort(this.address), secret: this.options.secret !== undefined });
    this.attemptDone = this.attempt(this.run);
  }

  /** Stops reconnecting and closes the link; resolves once no socket and no timer is left. */
  async stop(): Promise<void> {
    if (this.current === 'idle' || this.current === 'stopped') return this.attemptDone;
    const wasConnected = this.connected;
    this.run += 1;
    this.setStatus('stopped');
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.socket?.destroy(new Error('SCS link stopped'));
    this.socket = undefined;
    const connection = this.connection;
    this.connection = undefined;
    this.early = [];
    if (wasConnected) this.emit('disconnected', { reason: 'closed', message: 'SCS link stopped', local: true });
    await Promise.all([connection && closeAndWait(connection, 'SCS link stopped'), this.attemptDone]);
    this.log.info('LCA link stopped');
  }

  /** Starts an application (idempotent on the LCA while it runs); resolves with its report. */
  startApp(spec: AppSpecInput): Promise<AppReport> {
    return this.request({ type: 'start', app: spec }, (reply) => parseAppReport(reply, 'start'));
  }

  stopApp(app: string, graceful = false): Promise<AppReport> {
    return this.request({ type: 'stop', app, graceful }, (reply) => parseAppReport(reply, 'stop'));
  }

  killApp(app: string): Promise<AppReport> {
    return this.request({ type: 'kill', app }, (reply) => parseAppReport(reply, 'kill'));
  }

  /** Resolves with the role the application acknowledged (the LCA waits up to `timeoutMs` for it). */
  setRole(app: string, role: Role, timeoutMs?: number): Promise<Role> {
    return this.request({ type: 'set-role', app, role, ...(timeoutMs === undefined ? {} : { timeoutMs }) }, parseRoleReply, timeoutMs);
  }

  /** Asks the application, through the LCA, for its facts now. */
  queryFacts(app: string, timeoutMs?: number): Promise<Record<string, string>> {
    return this.request({ type: 'query-facts', app, ...(timeoutMs === undefined ? {} : { timeoutMs }) }, parseFactsReply, timeoutMs);
  }

  snapshot(): Promise<Snapshot> {
    return this.request({ type: 'snapshot' }, parseSnapshot);
  }

  /** A newly promoted SCS claims its epoch on this LCA (which then refuses older epochs). */
  claim(epoch: number): Promise<Snapshot> {
    this.setEpoch(epoch);
    return this.request({ type: 'claim', epoch }, parseSnapshot);
  }

  /**
   * Sends one command. Fails fast with LcaDownError while down; a bad request is refused here
   * (the LCA would close the whole link for it); the LCA's own errors stay RemoteErrors.
   */
  private async request<T>(request: LcaRequestInput, parse: (reply: unknown) => T, appTimeoutMs?: number): Promise<T> {
    const connection = this.connection;
    if (!this.connected || connection === undefined) throw new LcaDownError(this.host, formatHostPort(this.address));
    const checked = lcaRequestSchema.safeParse(this.withEpoch(request));
    if (!checked.success) {
      throw new ValidationError(`invalid ${request.type} request for the LCA of ${this.where}: ${describeIssues(checked.error).join('; ')}`);
    }
    const timeoutMs = appTimeoutMs === undefined ? this.requestTimeoutMs : appTimeoutMs + REPLY_MARGIN_MS;
    let reply: unknown;
    try {
      reply = await connection.request(checked.data, { timeoutMs });
    } catch (error) {
      if (error instanceof RemoteError && error.remoteCode === LCA_ERRORS.staleEpoch) this.emit('fenced');
      throw error;
    }
    try {
      return parse(reply);
    } catch (error) {
      this.refuse(connection, errorMessage(error));
      throw error;
    }
  }

  private withEpoch(request: LcaRequestInput): LcaRequestInput {
    return this.epochValue === undefined ? request : { ...request, epoch: this.epochValue };
  }

  /** One connection attempt of run `run`: connect, authenticate, take the snapshot. Never rejects on I/O. */
  private async attempt(run: number): Promise<void> {
    const current = () => run === this.run;
    this.setStatus('connecting');
    const challenge = new LcaChallenge(this.options.secret, this.where);
    let connection: Connection;
    try {
      connection = await this.connectFn({
        host: this.address.host,
        port: this.address.port,
        name: this.options.scsId,
        auth: challenge.hello,
        verify: (ack) => challenge.verify(ack),
        settings: this.settings,
        requestTimeoutMs: this.requestTimeoutMs,
        connectTimeoutMs: this.options.connectTimeoutMs ?? connectTimeoutFor(this.settings),
        clock: this.clock,
        logger: this.log,
        label: `lca:${this.host}`,
        createSocket: (host, port) => (this.socket = net.connect({ host, port })),
      });
    } catch (error) {
      this.socket = undefined;
      if (current()) this.retry(challenge.failure ?? error);
      return;
    }
    this.socket = undefined;
    if (!current()) return closeAndWait(connection, 'SCS link stopped');

    this.connection = connection;
    this.early = [];
    connection.on('message', (message) => this.onMessage(connection, message));
    connection.once('lost', (info) => this.onLost(connection, info));
    if (this.options.metrics) observeLink(connection, this.options.metrics, `lca:${this.host}`);
    this.emit('link', connection);
    this.setStatus('authenticating');

    let snapshot: Snapshot;
    try {
      const reply = await connection.request(this.withEpoch({ type: 'auth', proof: challenge.proof(), scs: this.options.scsId }));
      snapshot = parseSnapshot(reply);
    } catch (error) {
      if (!current()) return;
      this.connection = undefined;
      const failure = error instanceof RemoteError && error.remoteCode === LCA_ERRORS.unauthenticated
        ? new LcaAuthError(`wrong secret: the LCA of ${this.where} did not accept this SCS's proof (${error.message}); give both the same secret`, { cause: error })
        : error;
      connection.close(`authentication failed: ${errorMessage(failure)}`);
      this.retry(failure);
      return;
    }
    if (!current()) return;
    if (connection.state !== 'open') {
      this.connection = undefined;
      this.retry(new Error('the link was lost right after authentication'));
      return;
    }

    this.backoff.reset();
    this.lastFailure = undefined;
    this.setStatus('connected');
    this.log.info('LCA connected', { address: formatHostPort(this.address), apps: snapshot.apps.length, epoch: snapshot.epoch });
    if (snapshot.host !== this.host) {
      this.log.warn('the LCA reports another host name than configured', { configured: this.host, reported: snapshot.host });
    }
    this.emit('connected', snapshot);
    const early = this.early;
    this.early = [];
    for (const message of early) {
      if (this.connection !== connection || !this.connected) return;
      this.emit('report', message);
    }
  }

  private onMessage(connection: Connection, value: unknown): void {
    if (connection !== this.connection) return;
    let message: LcaMessage;
    try {
      message = parseLcaMessage(value);
    } catch (error) {
      this.refuse(connection, errorMessage(error));
      return;
    }
    if (this.connected) this.emit('report', message);
    else this.early.push(message);
  }

  /** The LCA broke the protocol: log why and close; the loss handling reconnects. */
  private refuse(connection: Connection, why: string): void {
    this.log.error('closing the LCA link: the LCA broke the protocol', { error: why });
    connection.close(why);
  }

  private onLost(connection: Connection, info: LostInfo): void {
    // While authenticating, the pending `auth` request fails too, and attempt() handles it.
    if (connection !== this.connection || !this.connected) return;
    this.connection = undefined;
    this.early = [];
    this.log.warn('LCA link lost', { reason: info.reason, detail: info.message });
    this.scheduleRetry();
    this.emit('disconnected', { reason: info.reason, message: info.message, local: info.local ?? false });
  }

  /** A failed attempt: log it (auth failures always as errors, repeats of the same failure at debug) and back off. */
  private retry(error: unknown): void {
    const message = errorMessage(error);
    const delayMs = this.scheduleRetry();
    const fields = { address: formatHostPort(this.address), error: message, attempt: this.backoff.attempts, retryInMs: delayMs };
    if (error instanceof LcaAuthError) this.log.error('LCA authentication failed', fields);
    else if (message !== this.lastFailure) this.log.warn('cannot connect to the LCA', fields);
    else this.log.debug('cannot connect to the LCA', fields);
    this.lastFailure = message;
  }

  private scheduleRetry(): number {
    const delayMs = this.backoff.next();
    const run = this.run;
    this.setStatus('waiting');
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (run === this.run) this.attemptDone = this.attempt(run);
    }, delayMs);
    this.retryTimer.unref?.();
    return delayMs;
  }

  /** The one place the status changes: logs old -> new and emits `status`. */
  private setStatus(next: LcaLinkStatus): void {
    const previous = this.current;
    if (next === previous) return;
    this.current = next;
    if ((previous === 'connected') !== (next === 'connected')) this.changedAt = new Date();
    this.log.debug('LCA link status', { from: previous, to: next });
    this.emit('status', next, previous);
  }
}
