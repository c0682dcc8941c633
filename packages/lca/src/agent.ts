// The Local Control Agent: one per host. It accepts ADDP links from SCSs (after mutual
// challenge-response) and from the applications it launched (by launch token), executes the
// SCS's commands, reports every change to every SCS, and remembers what it launched so that a
// restarted LCA re-adopts running applications instead of restarting them.

import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { type Connection, type Hello, type AcceptResult, AddpServer, type AddpSettings, observeLink } from '@mlayer/addp';
import { APP_ENV, AUTH_SCHEME, type AppSpec, type Clock, type HostPort, type LcaMessage, type LcaRequest, type Logger, type Snapshot, LCA_ERRORS, MlayerError, appHelloAuthSchema, errorMessage, formatHostPort, isLoopback, makeNonce, proofFor, sameToken, systemClock } from '@mlayer/common';
import { serveMetrics } from '@mlayer/common/metrics';
import type { AppState } from './app-state.js';
import { type ProcessControl, systemProcesses } from './launcher.js';
import { LcaMetrics } from './lca-metrics.js';
import { DEFAULT_ROTATION, LogFiles, type LogRotation } from './log-files.js';
import { ManagedApp } from './managed-app.js';
import { ScsSession } from './scs-session.js';
import { type LcaStateStore, type PersistedState, StateStore } from './state-store.js';

export interface LcaOptions {
  readonly listen: HostPort;
  /** The host name this LCA reports as (default: the machine's). */
  readonly name: string;
  /** Shared secret with the SCS; without it the LCA listens on loopback only. */
  readonly secret?: string;
  readonly stateDir: string;
  /** Application output files (default STATE_DIR/logs). */
  readonly logDir?: string;
  readonly metrics?: HostPort;
  readonly logger: Logger;
  /** Keep-alive on SCS links; by default the LCA watches each SCS with the timeout it asks for. */
  readonly scsLink?: AddpSettings;
  /** How long a re-adopted application has to reconnect after an LCA restart. */
  readonly adoptTimeoutMs?: number;
  readonly defaultRequestTimeoutMs?: number;
  readonly rotation?: LogRotation;
  readonly clock?: Clock;
  readonly processes?: ProcessControl;
  /** Bind `listen` (default true); false serves only the sockets given to acceptSocket (in-memory links). */
  readonly bind?: boolean;
  /** The durable state (default STATE_DIR/state.json); the chaos harness injects one in memory. */
  readonly store?: LcaStateStore;
  /** Collect Node's default process metrics (default true; off where many daemons share a process). */
  readonly defaultMetrics?: boolean;
}

const NONCE = /^[0-9a-f]{32,128}$/;
const NONCE_TTL_MS = 60_000;
const ROTATION_CHECK_MS = 5_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export class LocalControlAgent {
  private readonly apps = new Map<string, ManagedApp>();
  private readonly sessions = new Set<ScsSession>();
  private readonly launching = new Map<string, Promise<unknown>>();
  /** Server nonces of handshakes in flight, by the SCS's nonce. */
  private readonly nonces = new Map<string, { serverNonce: string; at: number }>();
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly processes: ProcessControl;
  private readonly store: LcaStateStore;
  private readonly logFiles: LogFiles;
  private readonly metrics: LcaMetrics;
  private server: AddpServer | undefined;
  private metricsServer: http.Server | undefined;
  private rotationTimer: NodeJS.Timeout | undefined;
  private epoch = 0;
  /** The save that made the current epoch durable (claims of it answer once it is done). */
  private epochSaved: Promise<void> = Promise.resolve();
  private bound: HostPort | undefined;

  constructor(private readonly options: LcaOptions) {
    this.log = options.logger.child({ component: 'lca', host: options.name });
    this.clock = options.clock ?? systemClock;
    this.processes = options.processes ?? systemProcesses;
    this.store = options.store ?? new StateStore(options.stateDir, this.log);
    this.logFiles = new LogFiles(options.logDir ?? join(options.stateDir, 'logs'), options.rotation ?? DEFAULT_ROTATION, this.log);
    this.metrics = new LcaMetrics(() => [...this.apps.values()].map((a) => a.current.status), () => this.readySessions().length, {
      defaultMetrics: options.defaultMetrics ?? true,
    });
  }

  /** Where the LCA listens, once started. */
  get address(): HostPort | undefined {
    return this.bound;
  }

  get registry() {
    return this.metrics.registry;
  }

  async start(): Promise<void> {
    this.restore(this.store.load());
    const server = new AddpServer({
      name: this.options.name,
      settings: this.options.scsLink ?? { timeoutMs: 0, remoteTimeoutMs: 0, trace: 'off' },
      logger: this.log,
      clock: this.clock,
      accept: (hello) => this.accept(hello),
    });
    server.on('connection', (link) => this.onConnection(link));
    server.on('error', (error) => this.log.error('LCA listener error', { error: errorMessage(error) }));
    this.server = server;

    if (this.options.bind ?? true) {
      let { host } = this.options.listen;
      if (this.options.secret === undefined && !isLoopback(host)) {
        this.log.warn('no --secret-file: listening on loopback only (127.0.0.1); give a secret to accept SCSs from other hosts', { requested: host });
        host = '127.0.0.1';
      }
      const address = await server.listen(this.options.listen.port, host);
      this.bound = { host: address.address, port: address.port };
    } else {
      this.bound = this.options.listen;
    }
    if (this.options.metrics) {
      this.metricsServer = await serveMetrics(this.metrics.registry, this.options.metrics.host, this.options.metrics.port, this.log);
    }
    this.rotationTimer = setInterval(() => void this.rotateLogs(), ROTATION_CHECK_MS);
    this.rotationTimer.unref();
    this.log.info('LCA listening', {
      address: formatHostPort(this.bound), secret: this.options.secret !== undefined, stateDir: this.store.dir,
      adopted: [...this.apps.values()].filter((a) => a.running).map((a) => a.name),
    });
  }

  /** Stops serving. Applications keep running: a restarted LCA re-adopts them. */
  async stop(): Promise<void> {
    if (this.rotationTimer) clearInterval(this.rotationTimer);
    for (const app of this.apps.values()) app.release();
    await this.server?.close('LCA shutting down');
    await new Promise<void>((resolve) => (this.metricsServer ? this.metricsServer.close(() => resolve()) : resolve()));
    this.metricsServer?.closeAllConnections();
    await this.store.save(() => this.persisted());
    this.log.info('LCA stopped; applications left running', { running: [...this.apps.values()].filter((a) => a.running).map((a) => a.name) });
  }

  /** Serves a connection that did not come through the listener (in-memory links in the chaos harness). */
  acceptSocket(socket: Duplex & { remoteAddress?: string; remotePort?: number }): void {
    if (!this.server) throw new MlayerError('ENOTSTARTED', 'the LCA is not started');
    this.server.adopt(socket);
  }

  snapshot(): Snapshot {
    return {
      type: 'snapshot', host: this.options.name, epoch: this.epoch,
      apps: [...this.apps.values()].map((a) => a.report()),
      scs: this.scsSessions(),
    };
  }

  private scsSessions(): { scs: string; epoch: number }[] {
    return this.readySessions().map((s) => ({ scs: s.scsId ?? s.link.label, epoch: s.epoch }));
  }

  private sessionsChanged(): void {
    this.broadcast({ type: 'scs-sessions', epoch: this.epoch, sessions: this.scsSessions() });
  }

  /**
   * Raises the epoch fence; answers (and tells every SCS) once it is durable. A second claim of
   * the same epoch (an SCS asking again after a reply timeout) waits for that same save.
   */
  private async presentEpoch(epoch: number, session: ScsSession): Promise<void> {
    if (epoch > this.epoch) {
      this.log.info('following a new SCS epoch', { from: this.epoch, to: epoch, scs: session.scsId });
      this.epoch = epoch;
      this.epochSaved = this.store.save(() => this.persisted()).catch((error: unknown) => {
        this.log.error('cannot save the new SCS epoch; following it from memory', { epoch, error: errorMessage(error) });
      });
    }
    await this.epochSaved;
    this.sessionsChanged();
  }

  /** Commands from an SCS of an older epoch than the highest seen are refused: it was replaced. */
  private checkEpoch(request: { type: string; epoch?: number | undefined }, session: ScsSession): void {
    const epoch = request.epoch ?? 0;
    if (epoch >= this.epoch) return;
    this.log.warn('refusing a command from an SCS of an older epoch', { scs: session.scsId, epoch, current: this.epoch, request: request.type });
    throw new MlayerError(LCA_ERRORS.staleEpoch, `stale epoch ${epoch}: this LCA follows epoch ${this.epoch} (another SCS took over)`);
  }

  private restore(saved: PersistedState): void {
    this.epoch = saved.epoch;
    /** Launched by an earlier run, its pid never saved: by launch token. */
    const unaccounted = new Map<string, ManagedApp>();
    for (const [name, record] of Object.entries(saved.apps)) {
      const app = this.newApp(record.spec);
      app.token = record.token;
      const { pid } = record;
      if (pid !== null && record.status !== 'stopped' && this.processes.isAlive(pid, record.startTime)) {
        this.apps.set(name, app);
        app.adopt(pid, record.startTime, record.status, record.role);
        this.log.info('re-adopting a running application', { app: name, pid, status: record.status, role: record.role });
      } else if (pid !== null && record.status !== 'stopped') {
        this.log.warn('application launched by an earlier run is gone', { app: name, pid });
      } else if (pid === null && record.token !== '') {
        unaccounted.set(record.token, app);
      }
    }
    // An LCA that died between saving a launch token and saving the pid of the process it
    // started with it: that process runs on, unmanaged, unless found by its token.
    if (unaccounted.size === 0 || !this.processes.findByToken) return;
    for (const [token, found] of this.processes.findByToken(new Set(unaccounted.keys()))) {
      const app = unaccounted.get(token);
      if (!app) continue;
      this.apps.set(app.name, app);
      app.adopt(found.pid, found.startTime, 'start-pending', 'none');
      this.log.warn('re-adopting an application found by its launch token (the LCA died while starting it)', { app: app.name, pid: found.pid });
    }
  }

  private newApp(spec: AppSpec): ManagedApp {
    return new ManagedApp(spec, {
      clock: this.clock,
      processes: this.processes,
      log: this.log,
      adoptTimeoutMs: this.options.adoptTimeoutMs ?? Math.max(10_000, spec.startTimeoutMs),
      onChange: (app, previous) => this.onAppChange(app, previous),
    });
  }

  private accept(hello: Hello): AcceptResult {
    const auth = hello.auth;
    if (isRecord(auth) && auth.scheme === 'app-token') {
      const parsed = appHelloAuthSchema.safeParse(auth);
      const app = parsed.success ? this.apps.get(parsed.data.app) : undefined;
      if (!parsed.success || !app || !app.token || !sameToken(app.token, parsed.data.token)) {
        throw new MlayerError(LCA_ERRORS.unauthenticated, 'unknown application or wrong launch token');
      }
      if (!app.running) throw new MlayerError(LCA_ERRORS.notRunning, `${app.name} is not running under this LCA`);
      if (app.current.pid !== null && app.current.pid !== parsed.data.pid) {
        // A wrapper script that did not `exec`: the token is the credential, the pid only a hint.
        this.log.info('application registers from a child of the launched process', { app: app.name, launched: app.current.pid, registering: parsed.data.pid });
      }
      return { timeoutMs: app.spec.addpTimeoutMs };
    }
    if (isRecord(auth) && auth.scheme === AUTH_SCHEME && typeof auth.nonce === 'string' && NONCE.test(auth.nonce)) {
      if (this.options.secret === undefined) return { auth: { scheme: 'none' } };
      const now = this.clock.now();
      for (const [key, entry] of this.nonces) if (now - entry.at > NONCE_TTL_MS) this.nonces.delete(key);
      const serverNonce = makeNonce();
      this.nonces.set(auth.nonce, { serverNonce, at: now });
      return { auth: { scheme: AUTH_SCHEME, nonce: serverNonce, proof: proofFor(this.options.secret, 'server', auth.nonce, serverNonce) } };
    }
    throw new MlayerError(LCA_ERRORS.unauthenticated, 'no credentials: an SCS must authenticate with hmac-sha256, an application with its launch token');
  }

  private onConnection(link: Connection): void {
    const auth = link.peer?.auth;
    const appAuth = appHelloAuthSchema.safeParse(auth);
    if (appAuth.success) {
      const app = this.apps.get(appAuth.data.app);
      if (!app) return link.close('unknown application');
      observeLink(link, this.metrics.addp, `app:${app.name}`);
      app.attach(link, appAuth.data.pid);
      return;
    }
    const clientNonce = isRecord(auth) && typeof auth.nonce === 'string' ? auth.nonce : '';
    const entry = this.nonces.get(clientNonce);
    this.nonces.delete(clientNonce);
    observeLink(link, this.metrics.addp, `scs@${link.label}`);
    const session: ScsSession = new ScsSession(link, {
      secret: this.options.secret,
      challenge: entry ? { clientNonce, serverNonce: entry.serverNonce } : undefined,
      log: this.log,
      snapshot: () => this.snapshot(),
      execute: (request) => {
        if (request.type !== 'query-facts') this.checkEpoch(request, session);
        return this.execute(request);
      },
      presentEpoch: (epoch) => this.presentEpoch(epoch, session),
      onReady: () => {
        this.sessions.add(session);
        this.sessionsChanged();
      },
      onClose: () => {
        this.sessions.delete(session);
        this.sessionsChanged();
      },
    });
    this.log.info('SCS connected, awaiting its proof', { peer: link.label, name: link.peer?.name });
  }

  private readySessions(): ScsSession[] {
    return [...this.sessions].filter((s) => s.ready);
  }

  private broadcast(message: LcaMessage): void {
    for (const session of this.sessions) session.send(message);
  }

  private async execute(request: Exclude<LcaRequest, { type: 'auth' | 'snapshot' | 'claim' }>): Promise<unknown> {
    const timeoutMs = (t: number | undefined) => t ?? this.options.defaultRequestTimeoutMs ?? 5000;
    switch (request.type) {
      case 'start':
        return this.startApp(request.app);
      case 'stop':
        this.requireApp(request.app).stop(request.graceful);
        return this.requireApp(request.app).report();
      case 'kill':
        this.requireApp(request.app).kill();
        return this.requireApp(request.app).report();
      case 'set-role': {
        const role = await this.requireApp(request.app).setRole(request.role, timeoutMs(request.timeoutMs));
        await this.store.save(() => this.persisted()); // a restarted LCA must not forget an acknowledged role
        return { role };
      }
      case 'query-facts':
        return { facts: await this.requireApp(request.app).queryFacts(timeoutMs(request.timeoutMs)) };
    }
  }

  private requireApp(name: string): ManagedApp {
    const app = this.apps.get(name);
    if (!app) throw new MlayerError(LCA_ERRORS.unknownApp, `no application "${name}" on host ${this.options.name}`);
    return app;
  }

  /** Starts an application; idempotent while it runs (answers its current report). */
  private async startApp(spec: AppSpec): Promise<unknown> {
    const existing = this.apps.get(spec.name);
    if (existing?.running) return existing.report();
    const inFlight = this.launching.get(spec.name);
    if (inFlight) return inFlight;
    const launch = this.launch(existing ?? this.newApp(spec), spec).finally(() => this.launching.delete(spec.name));
    this.launching.set(spec.name, launch);
    return launch;
  }

  private async launch(app: ManagedApp, spec: AppSpec): Promise<unknown> {
    app.spec = spec;
    this.apps.set(spec.name, app);
    const token = app.newToken();
    await this.store.save(() => this.persisted()); // the token is durable before any process can present it
    const listen = this.bound ?? this.options.listen;
    const reachable = listen.host === '0.0.0.0' || listen.host === '::' ? { host: '127.0.0.1', port: listen.port } : listen;
    const env = {
      [APP_ENV.lcaAddress]: formatHostPort(reachable),
      [APP_ENV.appName]: spec.name,
      [APP_ENV.token]: token,
      [APP_ENV.addpTimeoutMs]: String(spec.addpTimeoutMs),
    };
    try {
      app.launched(await this.processes.launch(spec, env, this.logFiles.pathOf(spec.name)));
    } catch (error) {
      app.launchFailed();
      this.log.error('cannot start application', { app: spec.name, command: spec.command, error: errorMessage(error) });
      throw new MlayerError(LCA_ERRORS.spawnFailed, errorMessage(error), { cause: error });
    }
    return app.report();
  }

  private onAppChange(app: ManagedApp, previous: AppState): void {
    const now = app.current;
    if (now.status !== previous.status || now.pid !== previous.pid || now.exitCode !== previous.exitCode || now.signal !== previous.signal) {
      this.broadcast({ type: 'app-status', report: app.report() });
    }
    if (now.role !== previous.role) this.broadcast({ type: 'app-role', app: app.name, role: now.role, mono: this.clock.now() });
    if (now.facts !== previous.facts) this.broadcast({ type: 'app-facts', app: app.name, facts: { ...now.facts }, mono: this.clock.now() });
    if (now.status !== previous.status || now.pid !== previous.pid || now.role !== previous.role) void this.store.save(() => this.persisted());
  }

  private persisted(): PersistedState {
    const apps: PersistedState['apps'] = {};
    for (const app of this.apps.values()) {
      const s = app.current;
      apps[app.name] = { spec: app.spec, token: app.token, pid: s.pid, startTime: app.startTime, status: s.status, role: s.role };
    }
    return { version: 1, epoch: this.epoch, apps };
  }

  private async rotateLogs(): Promise<void> {
    for (const app of this.apps.values()) if (app.running) await this.logFiles.rotateIfNeeded(app.name);
  }
}
