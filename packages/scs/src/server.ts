// The Solution Control Server: it keeps a link to every LCA, a view of every application, a pair
// machine per primary/backup pair and the durable journal, and serves the operator API. Every
// observation goes through `observe`, which journals it, updates metrics and tells the pair.

import type { Duplex } from 'node:stream';
import { type AppReport, type Clock, type LcaMessage, type Logger, MlayerError, type Role, type Snapshot, type TimerHandle, componentLogger, errorMessage, systemClock } from '@mlayer/common';
import { Application, type Observation } from './application.js';
import type { JournalEvent, ScsEventBody } from './events.js';
import { Host } from './host.js';
import { type HttpApi, startHttpApi } from './http/index.js';
import { type JournalFs, MAX_SINCE_LIMIT } from './journal/index.js';
import { JournalFeed } from './journal-feed.js';
import { ScsPairCoordinator } from './peer/coordinator.js';
import { type EpochStorage, EpochStore } from './peer/epoch-store.js';
import type { ConnectFunction } from './lca-link.js';
import { ScsMetrics } from './metrics.js';
import { PairSupervisor } from './pair.js';
import { lastPrimaryOf } from './reconcile.js';
import { planReload } from './reload-plan.js';
import { EpochFence } from './epoch-fence.js';
import { OperatorCommands } from './operations.js';
import { RestartScheduler } from './restarts.js';
import type { HostSpec, PairSpec, Solution } from './solution.js';
import type { ApplicationView, CommandResult, HostView, PairView, ScsRole, ScsService, StatusView } from './views.js';
import { isProtected } from './guards.js';

export interface ScsOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** ADDP connect for the LCA links and the link to the peer SCS (tests inject in-memory links). */
  readonly connect?: ConnectFunction;
  readonly random?: () => number;
  /** Serve the HTTP API (default true). */
  readonly http?: boolean;
  /** Bind scs.pair.listen (default true); false serves only the peer sockets given to acceptPeerSocket (in-memory links). */
  readonly listenPeer?: boolean;
  /** The journal's file-system layer (default node:fs); the chaos harness keeps it in memory. */
  readonly journalFs?: JournalFs;
  /** The durable epoch (default JOURNAL_DIR/epoch.json). */
  readonly epochStore?: EpochStorage;
  /** Collect Node's default process metrics (default true; off where many daemons share a process). */
  readonly defaultMetrics?: boolean;
}

/** How long a primary SCS waits before asking again for a standalone application's primary role. */
const STANDALONE_ROLE_RETRY_MS = 1000;

export class SolutionControlServer implements ScsService {
  readonly metrics: ScsMetrics;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly apps = new Map<string, Application>();
  /** `apps` by host, rebuilt after any change of the applications (see appsOn). */
  private byHost: Map<string, Application[]> | undefined;
  private readonly hosts = new Map<string, Host>();
  private readonly pairs = new Map<string, PairSupervisor>();
  private readonly restarts: RestartScheduler;
  private readonly operations: OperatorCommands;
  /** Standalone applications whose primary role is asked for again soon (the last request failed). */
  private readonly roleRetries = new Map<string, TimerHandle>();
  /** The last refusal of a standalone application's primary role, per application (logged once). */
  private readonly roleFailures = new Map<string, string>();
  private readonly epochs: EpochFence;
  private readonly feed: JournalFeed;
  private http: HttpApi | undefined;
  private epoch = 0;
  /** Only the primary acts; a backup SCS observes and replicates the primary's journal. */
  private role: ScsRole = 'backup';
  private coordinator: ScsPairCoordinator | undefined;
  private epochStore: EpochStorage | undefined;

  constructor(private solution: Solution, private readonly options: ScsOptions) {
    this.log = componentLogger(options.logger, 'scs', { scs: solution.scs.id });
    this.metrics = new ScsMetrics({ defaultMetrics: options.defaultMetrics ?? true });
    this.feed = new JournalFeed(solution.scs.journalDir, this.log, options.journalFs ? { fs: options.journalFs } : {});
    this.clock = options.clock ?? systemClock;
    this.restarts = new RestartScheduler({
      clock: this.clock,
      log: this.log,
      ...(options.random ? { random: options.random } : {}),
      reachable: (app) => this.hosts.get(app.config.host)?.connected ?? false,
      launch: (app) => this.launch(app),
      restarted: (app) => this.metrics.countRestart(app.name),
      journal: (event) => this.journal(event),
    });
    this.epochs = new EpochFence({
      log: this.log,
      selfId: solution.scs.id,
      epoch: () => this.epoch,
      isPrimary: () => this.role === 'primary',
      coordinator: () => this.coordinator,
      takeUp: (epoch) => this.takeUpEpoch(epoch),
    });
    this.operations = new OperatorCommands({
      log: this.log,
      restarts: this.restarts,
      notPrimary: () => this.notPrimary(),
      app: (name) => this.apps.get(name),
      hostOf: (app) => this.hosts.get(app.config.host),
      pairOf: (app) => this.pairOf(app),
    });
  }

  /** The HTTP API's base URL, once serving. */
  get url(): string | undefined {
    return this.http?.url;
  }

  /** Opens the journal, serves the API and starts connecting to every LCA. */
  async boot(): Promise<void> {
    const { scs } = this.solution;
    await this.feed.open();
    this.feed.subscribe((event) => this.coordinator?.stream(event));
    this.epochStore = this.options.epochStore ?? new EpochStore(scs.journalDir);
    this.epoch = await this.epochStore.load();
    this.metrics.setScsRole('backup');
    this.metrics.setEpoch(this.epoch);
    for (const spec of this.solution.applications) {
      const app = new Application(spec);
      this.apps.set(spec.spec.name, app);
      this.metrics.setAppStatus(app.name, spec.host, app.status);
      this.metrics.setAppRole(app.name, app.role);
    }
    for (const spec of this.solution.hosts) this.addHost(spec);
    if (this.options.http ?? true) {
      this.http = await startHttpApi({
        host: scs.http.host,
        port: scs.http.port,
        service: this,
        registry: this.metrics.registry,
        ...(scs.apiToken === undefined ? {} : { token: scs.apiToken }),
        logger: this.log,
      });
    }
    if (scs.pair) {
      this.coordinator = new ScsPairCoordinator({ id: scs.id, ...scs.pair, secret: scs.lcaSecret, addp: scs.addp }, this.epoch, {
        clock: this.clock,
        log: this.log,
        ...(this.options.connect ? { connect: this.options.connect } : {}),
        ...(this.options.listenPeer === undefined ? {} : { bind: this.options.listenPeer }),
        journal: () => this.feed.current,
        resetJournal: () => this.feed.reset(),
        apiUrl: () => this.http?.url ?? null,
        promote: (epoch, reason) => this.promote(epoch, reason),
        demote: (epoch, reason) => this.demote(epoch, reason),
        splitBrain: (peer, epochs) => {
          this.log.error('split brain: two primary SCSs; the lower epoch yields', { peer, epochs });
          if (this.role === 'primary') this.journal({ type: 'split-brain', scs: scs.id, peer, epochs });
        },
        noBrain: (active) => {
          this.noBrain = active;
          this.metrics.setNoBrain(active);
          if (active) this.log.error('no-brain: this backup SCS sees neither its peer nor any LCA; it will not promote itself blindly');
          else this.log.info('no-brain alarm cleared');
        },
      });
      for (const host of this.hosts.values()) host.start();
      await this.coordinator.start();
    } else {
      await this.becomePrimary(this.epoch, 'a single SCS', false);
      for (const host of this.hosts.values()) host.start();
    }
    this.log.info('SCS started', { api: this.http?.url, role: this.role, hosts: this.hosts.size, applications: this.apps.size, pairs: this.solution.pairs.length, lastSeq: this.feed.lastSeq });
  }

  /** Set while a backup SCS sees neither its peer nor any LCA. */
  noBrain = false;

  /** Serves a link from the peer SCS that did not come through the listener (in-memory links in the chaos harness). */
  acceptPeerSocket(socket: Duplex & { remoteAddress?: string; remotePort?: number }): void {
    if (!this.coordinator) throw new MlayerError('ENOTSTARTED', `this SCS (${this.solution.scs.id}) has no peer, or is not started`);
    this.coordinator.link.acceptSocket(socket);
  }

  private async promote(epoch: number, reason: string): Promise<void> {
    try {
      await this.epochStore?.save(epoch); // durable before anything is done under it
    } catch (error) {
      // Availability first, as for the journal: a backup that cannot write (a full disk) still
      // takes over. The LCAs keep the epoch durably: a restarted SCS learns it from them (and
      // from its peer), and a claim of an older epoch never lowers an LCA's fence.
      this.log.error('cannot save the new epoch durably (full disk?); acting under it anyway', { epoch, error: errorMessage(error) });
    }
    await this.becomePrimary(epoch, reason, true);
  }

  /** Starts acting: pair machines (which adopt the members acting as primary), restarts, journal. */
  private async becomePrimary(epoch: number, reason: string, claim: boolean): Promise<void> {
    const journal = this.feed.current;
    // The newest events tell which member of each pair was primary last. Read before acting, so
    // that `scs-role` is the first event this SCS journals as primary.
    const history = await journal.since(Math.max(0, journal.lastSeq - MAX_SINCE_LIMIT), MAX_SINCE_LIMIT).catch((error: unknown) => {
      // Not knowing who was primary last only costs the adoption hint: the pair machines still
      // adopt whichever member acts as primary. Not acting at all would cost the solution its SCS.
      this.log.error('cannot read the journal history; taking over without it', { error: errorMessage(error) });
      return [];
    });
    if (this.coordinator && (this.coordinator.role !== 'primary' || this.coordinator.epoch !== epoch)) {
      this.log.warn('promotion overtaken: this SCS yielded while it was taking over', { epoch, now: this.coordinator.epoch });
      return;
    }
    const from = this.role;
    this.role = 'primary';
    this.restarts.resume();
    this.epoch = epoch;
    for (const host of this.hosts.values()) {
      host.link.setEpoch(epoch);
      if (claim && host.connected) this.epochs.claim(host, epoch);
    }
    this.journal({ type: 'scs-role', scs: this.solution.scs.id, from: claim ? from : 'none', to: 'primary', epoch });
    for (const spec of this.solution.pairs) this.addPair(spec, lastPrimaryOf(spec, history)).start();
    this.metrics.setScsRole('primary');
    this.metrics.setEpoch(epoch);
    this.log.warn('SCS is primary', { epoch, reason });
    for (const app of this.apps.values()) {
      if (!this.hosts.get(app.config.host)?.connected) continue;
      if (app.config.pair === null) this.ensureStandaloneRole(app);
      this.restarts.consider(app);
    }
  }

  /** A single SCS takes up the epoch of LCAs that followed an SCS pair (epoch-fence.ts). Saved; acting does not wait. */
  private takeUpEpoch(epoch: number): void {
    this.epoch = epoch;
    for (const h of this.hosts.values()) h.link.setEpoch(epoch);
    this.metrics.setEpoch(epoch);
    this.epochStore?.save(epoch).catch((error: unknown) => this.log.error('cannot save the epoch', { epoch, error: errorMessage(error) }));
  }

  /** Stops acting at once: another SCS holds a higher epoch. Applications keep their roles. */
  private demote(epoch: number, reason: string): void {
    if (this.role === 'primary') this.journal({ type: 'scs-role', scs: this.solution.scs.id, from: 'primary', to: 'backup', epoch });
    this.role = 'backup';
    this.epoch = Math.max(this.epoch, epoch);
    for (const pair of this.pairs.values()) pair.stop();
    this.pairs.clear();
    this.restarts.forget();
    this.cancelRoleRetries();
    this.metrics.setScsRole('backup');
    this.metrics.setEpoch(this.epoch);
    this.log.warn('SCS demoted to backup', { epoch, reason });
  }

  /** Stops serving. Applications keep running; a restarted SCS reconciles with them. */
  async shutdown(): Promise<void> {
    await this.coordinator?.stop();
    this.restarts.forget();
    this.cancelRoleRetries();
    for (const pair of this.pairs.values()) pair.stop();
    await Promise.all([...this.hosts.values()].map((h) => h.stop()));
    await this.http?.close();
    await this.feed.close();
    this.log.info('SCS stopped');
  }

  /**
   * Applies a new configuration without touching running applications that did not change:
   * new hosts are connected, removed ones dropped; new applications start (autostart), removed
   * ones are stopped; changed specs take effect at the next start; pairs whose settings changed
   * get a new machine, which adopts the member acting as primary.
   */
  reload(next: Solution, changes: readonly string[]): void {
    const plan = planReload(this.solution, next);
    this.byHost = undefined;
    this.solution = { ...next, scs: { ...next.scs, id: this.solution.scs.id } };
    for (const name of plan.dropHosts) {
      void this.hosts.get(name)?.stop();
      this.hosts.delete(name);
      this.metrics.removeHost(name);
    }
    for (const spec of plan.addHosts) this.addHost(spec).start();
    for (const name of plan.removeApps) {
      const app = this.apps.get(name) as Application;
      this.restarts.forget(app);
      const host = this.hosts.get(app.config.host);
      if (app.running && host?.connected && this.role === 'primary') {
        host.link.stopApp(name, true).catch((error: unknown) => this.log.warn('cannot stop a removed application', { app: name, error: errorMessage(error) }));
      }
      this.apps.delete(name);
      this.roleFailures.delete(name);
      this.metrics.removeApp(name);
    }
    for (const spec of plan.updateApps) (this.apps.get(spec.spec.name) as Application).config = spec;
    for (const spec of plan.addApps) {
      const app = new Application(spec);
      this.apps.set(spec.spec.name, app);
      this.metrics.setAppStatus(app.name, spec.host, app.status);
    }
    for (const name of plan.restartPairs) {
      this.pairs.get(name)?.stop();
      this.pairs.delete(name);
      this.metrics.removePair(name);
    }
    if (this.role === 'primary') {
      for (const spec of plan.addPairs) {
        // The new machine adopts whichever member acts as primary now: nothing switches over.
        const acting = this.apps.get(spec.backup)?.role === 'primary' ? 'b' : this.apps.get(spec.primary)?.role === 'primary' ? 'a' : null;
        this.addPair(spec, acting).start();
      }
      for (const app of this.apps.values()) if (this.hosts.get(app.config.host)?.connected) this.restarts.consider(app);
    }
    this.byHost = undefined;
    this.journal({ type: 'config-reloaded', changes: [...changes] });
    this.log.info('configuration reloaded', { changes });
  }

  /** A reload whose file was invalid: journaled; the running configuration stays. */
  rejectReload(errors: readonly string[]): void {
    this.journal({ type: 'config-rejected', errors: [...errors] });
    this.log.error('configuration rejected: keeping the running one', { errors });
  }

  // ---- ScsService: what operators see and ask -----------------------------------------------

  hostViews(): HostView[] {
    return [...this.hosts.values()].map((h) => h.view());
  }

  applicationViews(): ApplicationView[] {
    return [...this.apps.values()].map((a) => a.view());
  }

  applicationView(name: string): ApplicationView | undefined {
    return this.apps.get(name)?.view();
  }

  status(): StatusView {
    return {
      scs: {
        id: this.solution.scs.id,
        role: this.role,
        epoch: this.role === 'primary' ? this.epoch : Math.max(this.epoch, this.coordinator?.highest ?? 0),
        ...(this.coordinator
          ? { peer: { id: this.solution.scs.pair?.peer.id ?? '', connected: this.coordinator.peerVisible, ...(this.coordinator.peer?.apiUrl ? { url: this.coordinator.peer.apiUrl } : {}) } }
          : {}),
      },
      hosts: this.hostViews(),
      applications: this.applicationViews(),
      pairs: this.role === 'primary' ? [...this.pairs.values()].map((p) => p.view()) : this.solution.pairs.map((p) => this.followedPair(p)),
    };
  }

  /** A backup SCS runs no pair machine; it shows the pair as its members report it. */
  private followedPair(spec: PairSpec): PairView {
    const members = [this.apps.get(spec.primary), this.apps.get(spec.backup)];
    const active = members.find((m) => m?.role === 'primary' && m.running);
    const standby = members.find((m) => m !== undefined && m !== active);
    return {
      name: spec.name, primary: spec.primary, backup: spec.backup, redundancy: spec.redundancy,
      active: active?.name ?? null, state: 'followed', protected: standby !== undefined && isProtected(spec, standby.member()), lastSwitchover: null,
    };
  }

  async events(since: number, limit: number): Promise<readonly JournalEvent[]> {
    return this.feed.current.since(since, limit);
  }

  subscribe(listener: (event: JournalEvent) => void): () => void {
    return this.feed.subscribe(listener);
  }

  /** A backup SCS refuses mutations and names the primary. */
  private notPrimary(): CommandResult | undefined {
    if (this.role === 'primary') return undefined;
    const url = this.coordinator?.peer?.role === 'primary' ? this.coordinator.peer.apiUrl : null;
    return { accepted: false, code: 'not-primary', message: `this SCS (${this.solution.scs.id}) is the backup; send operations to the primary`, ...(url ? { primaryUrl: url } : {}) };
  }

  start(name: string): Promise<CommandResult> {
    return this.operations.start(name);
  }

  stop(name: string, graceful: boolean): Promise<CommandResult> {
    return this.operations.stop(name, graceful);
  }

  restart(name: string): Promise<CommandResult> {
    return this.operations.restart(name);
  }

  switchover(name: string): Promise<CommandResult> {
    return this.operations.switchover(name);
  }

  // ---- observations -----------------------------------------------------------------------

  private addHost(spec: HostSpec): Host {
    const host = new Host(spec, () => this.solution.scs, {
      clock: this.clock,
      log: this.log,
      metrics: this.metrics.addp,
      ...(this.options.connect ? { connect: this.options.connect } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
      journal: (event) => this.journal(event),
      connectedChanged: (h) => {
        this.metrics.setLcaConnected(h.name, h.connected);
        this.coordinator?.observeLcas([...this.hosts.values()].some((x) => x.connected));
        if (!h.connected && h.name === this.solution.scs.pair?.peer.host) this.coordinator?.observePeerHost(false, []);
      },
      snapshot: (h, snapshot) => this.onSnapshot(h, snapshot),
      report: (h, message) => this.onReport(h, message),
      fenced: (h) => this.epochs.fenced(h),
      lost: (h) => this.onHostLost(h),
    });
    this.hosts.set(spec.name, host);
    this.metrics.setLcaConnected(spec.name, false);
    return host;
  }

  private addPair(spec: PairSpec, lastPrimary: 'a' | 'b' | null): PairSupervisor {
    const a = this.apps.get(spec.primary);
    const b = this.apps.get(spec.backup);
    if (!a || !b) throw new Error(`pair ${spec.name} names an unknown application`);
    const pair = new PairSupervisor(spec, a, b, lastPrimary, {
      clock: this.clock,
      log: this.log,
      journal: (event) => this.journal(event),
      afterJournal: (task) => this.feed.afterDurable(task),
      setRole: (app, role, timeoutMs) => this.setRole(app, role, timeoutMs),
      queryFacts: (app, timeoutMs) => this.linkOf(app).queryFacts(app.name, timeoutMs),
      fence: (app, why) => this.fence(app, why),
      flapping: (app) => {
        app.restartSuspended = true;
        this.restarts.cancel(app);
        this.log.error('application is flapping: automatic restarts stopped until an operator starts it', { app: app.name, pair: spec.name });
      },
      changed: () => {
        const { active, protected: protectedPair } = pair.acting();
        this.metrics.setPairState(spec.name, [spec.primary, spec.backup], active, protectedPair);
      },
    });
    this.metrics.initPair(spec.name, [...(spec.kind === 'config-server' ? ['config-server'] : []), ...(spec.requireSync ? ['sync'] : [])]);
    this.pairs.set(spec.name, pair);
    return pair;
  }

  private pairOf(app: Application): PairSupervisor | undefined {
    return app.config.pair === null ? undefined : this.pairs.get(app.config.pair);
  }

  private linkOf(app: Application) {
    const host = this.hosts.get(app.config.host);
    if (!host) throw new Error(`no host ${app.config.host}`);
    return host.link;
  }

  private onSnapshot(host: Host, snapshot: Snapshot): void {
    this.epochs.snapshot(host, snapshot);
    if (host.name === this.solution.scs.pair?.peer.host) this.coordinator?.observePeerHost(true, snapshot.scs);
    const reports = new Map<string, AppReport>(snapshot.apps.map((r) => [r.app, r]));
    for (const app of this.appsOn(host.name)) {
      const report = reports.get(app.name);
      this.observe(app, report ? { ...Application.fromReport(report), hostUp: true } : { status: 'stopped', role: 'none', pid: null, hostUp: true });
      // What was lost with the previous link (a start, a fence) changed nothing this snapshot
      // shows: decide again.
      if (this.role === 'primary') {
        this.pairOf(app)?.memberChanged(app);
        this.restarts.consider(app);
      }
    }
    for (const name of reports.keys()) {
      if (!this.apps.has(name)) this.log.warn('LCA runs an application this configuration does not know', { host: host.name, app: name });
    }
  }

  private onReport(host: Host, message: LcaMessage): void {
    if (message.type === 'scs-sessions') {
      this.epochs.sessions(host, message.epoch, message.sessions);
      if (host.name === this.solution.scs.pair?.peer.host) this.coordinator?.observePeerHost(true, message.sessions);
      return;
    }
    const name = message.type === 'app-status' ? message.report.app : message.type === 'snapshot' ? undefined : message.app;
    const app = name === undefined ? undefined : this.apps.get(name);
    if (!app || app.config.host !== host.name) return;
    if (message.type === 'app-status') this.observe(app, Application.fromReport(message.report));
    else if (message.type === 'app-role') this.observe(app, { role: message.role });
    else if (message.type === 'app-facts') this.observe(app, { facts: message.facts });
  }

  private onHostLost(host: Host): void {
    for (const app of this.appsOn(host.name)) this.observe(app, { hostUp: false, status: 'unknown' });
  }

  /** The applications of one host (indexed: with a thousand hosts, scanning all of them per snapshot is quadratic). */
  private appsOn(host: string): readonly Application[] {
    if (this.byHost === undefined) {
      this.byHost = new Map();
      for (const app of this.apps.values()) {
        const list = this.byHost.get(app.config.host) ?? [];
        list.push(app);
        this.byHost.set(app.config.host, list);
      }
    }
    return this.byHost.get(host) ?? [];
  }

  /** The one place an application's view changes: journal, metrics, pair, restarts. */
  private observe(app: Application, observation: Observation): void {
    const change = app.apply(observation);
    if (change.status) {
      this.journal({ type: 'app-status', app: app.name, host: app.config.host, from: change.status.from, to: change.status.to });
      if (change.status.to === 'hung') this.journal({ type: 'app-hung', app: app.name });
      this.metrics.setAppStatus(app.name, app.config.host, app.status);
    }
    if (change.role) {
      this.journal({ type: 'app-role', app: app.name, from: change.role.from, to: change.role.to });
      this.metrics.setAppRole(app.name, app.role);
    }
    if (!change.status && !change.role && !change.facts && !change.hostUp) return;
    if (this.role !== 'primary') return; // a backup SCS observes; only the primary acts
    const pair = this.pairOf(app);
    if (pair) pair.memberChanged(app);
    else this.ensureStandaloneRole(app);
    this.restarts.consider(app);
  }

  /** An application without redundancy serves as primary once started. */
  private ensureStandaloneRole(app: Application): void {
    app.desiredRole = app.running ? 'primary' : 'none';
    if (app.status !== 'started' || app.role === 'primary') {
      this.roleFailures.delete(app.name); // a new process, or the role taken: a new refusal is news
      return;
    }
    this.setRole(app, 'primary', 5000).then(
      () => this.roleFailures.delete(app.name),
      (error: unknown) => {
        // Asked again every second: the same refusal is logged once at warn, then at debug.
        const message = errorMessage(error);
        const repeated = this.roleFailures.get(app.name) === message;
        this.roleFailures.set(app.name, message);
        this.log[repeated ? 'debug' : 'warn']('cannot set role', { app: app.name, error: message });
        this.retryStandaloneRole(app);
      },
    );
  }

  /**
   * Seed 57 of the SCS-pair chaos harness: a re-adopted application that has not registered
   * again with its restarted LCA refuses the role; its registration changes nothing the SCS
   * observes, so without asking again it stayed without a role.
   */
  private retryStandaloneRole(app: Application): void {
    if (this.roleRetries.has(app.name)) return;
    this.roleRetries.set(app.name, this.clock.setTimeout(() => {
      this.roleRetries.delete(app.name);
      if (this.role === 'primary' && this.apps.get(app.name) === app && this.hosts.get(app.config.host)?.connected) this.ensureStandaloneRole(app);
    }, STANDALONE_ROLE_RETRY_MS));
  }

  private cancelRoleRetries(): void {
    for (const timer of this.roleRetries.values()) this.clock.clearTimeout(timer);
    this.roleRetries.clear();
    this.roleFailures.clear();
  }

  private async setRole(app: Application, role: Role, timeoutMs: number): Promise<Role> {
    const acked = await this.linkOf(app).setRole(app.name, role, timeoutMs);
    this.observe(app, { role: acked });
    return acked;
  }

  /** Asks the LCA to start `app`; rejects when it could not (the scheduler then retries with backoff). */
  private async launch(app: Application): Promise<void> {
    try {
      await this.linkOf(app).startApp(app.config.spec);
    } catch (error) {
      this.log.error('cannot start application', { app: app.name, host: app.config.host, error: errorMessage(error) });
      throw error;
    }
  }

  private fence(app: Application, why: string): void {
    this.log.warn('fencing application', { app: app.name, why });
    this.linkOf(app).killApp(app.name).catch((error: unknown) => this.log.error('cannot fence application', { app: app.name, error: errorMessage(error) }));
  }

  /** Journals an event (only the primary writes; a backup's journal is the primary's, replicated). */
  private journal(event: ScsEventBody): void {
    if (this.role !== 'primary') return;
    this.feed.append(event);
    if (event.type === 'switchover-completed') this.metrics.recordSwitchover(event.pair, event.reason, event.ms / 1000);
    if (event.type === 'switchover-blocked') this.metrics.countBlocked(event.pair, event.guard);
  }
}
