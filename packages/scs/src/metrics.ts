// The SCS's Prometheus metrics (CONTRACT.md section 8) on a registry of its own: application
// status and role as 1/0 gauges over every possible value, restarts, switchovers and their
// duration, blocked switchovers, LCA links, this SCS's role and epoch, ADDP links and the
// default process metrics.

import { APP_STATUSES, type AppStatus, ROLES, type Role, SWITCHOVER_REASONS } from '@mlayer/common';
import { AddpMetrics, createRegistry, promClient, type Registry } from '@mlayer/common/metrics';
import type { ScsRole } from './views.js';

const SCS_ROLES: readonly ScsRole[] = ['primary', 'backup'];

/** Failure detected → backup acknowledged primary: from a millisecond on loopback to a slow 30 s start. */
export const SWITCHOVER_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

export interface ScsMetricsOptions {
  /** Collect the default process metrics (default true; off in tests that compare exact text). */
  readonly defaultMetrics?: boolean;
}

export class ScsMetrics {
  readonly registry: Registry;
  readonly addp: AddpMetrics;

  private readonly appStatus: promClient.Gauge<'app' | 'host' | 'status'>;
  private readonly appRole: promClient.Gauge<'app' | 'role'>;
  private readonly restarts: promClient.Counter<'app'>;
  private readonly switchovers: promClient.Counter<'pair' | 'reason'>;
  private readonly switchoverSeconds: promClient.Histogram<'pair'>;
  private readonly blocked: promClient.Counter<'pair' | 'guard'>;
  private readonly lcaConnected: promClient.Gauge<'host'>;
  private readonly scsRole: promClient.Gauge<'role'>;
  private readonly epoch: promClient.Gauge;
  private readonly pairPrimary: promClient.Gauge<'pair' | 'app'>;
  private readonly pairProtected: promClient.Gauge<'pair'>;
  private readonly noBrain: promClient.Gauge;
  private readonly pairMembers = new Map<string, readonly string[]>();

  /** The host label each application's status series carry now (it changes on a config reload). */
  private readonly appHosts = new Map<string, string>();
  /**
   * The values last set per application and pair: a change sets only the two series that change
   * (a host loss changes thousands of applications at once; each label set costs a hash).
   */
  private readonly appStatuses = new Map<string, AppStatus>();
  private readonly appRoles = new Map<string, Role>();
  private readonly pairStates = new Map<string, string>();
  /** Label values seen per pair, so `removePair` can drop every series of it. */
  private readonly pairReasons = new Map<string, Set<string>>();
  private readonly pairGuards = new Map<string, Set<string>>();

  constructor(options: ScsMetricsOptions = {}) {
    this.registry = createRegistry({ defaultMetrics: options.defaultMetrics ?? true });
    const registers = [this.registry];
    this.addp = new AddpMetrics(this.registry);
    this.appStatus = new promClient.Gauge({
      name: 'mlayer_app_status',
      help: 'Application status: 1 for the current status, 0 for every other',
      labelNames: ['app', 'host', 'status'],
      registers,
    });
    this.appRole = new promClient.Gauge({
      name: 'mlayer_app_role',
      help: 'Role the application last acknowledged: 1 for the current role, 0 for every other',
      labelNames: ['app', 'role'],
      registers,
    });
    this.restarts = new promClient.Counter({
      name: 'mlayer_app_restarts_total',
      help: 'Automatic restarts after unplanned failures, by application',
      labelNames: ['app'],
      registers,
    });
    this.switchovers = new promClient.Counter({
      name: 'mlayer_switchovers_total',
      help: 'Completed switchovers, by pair and reason',
      labelNames: ['pair', 'reason'],
      registers,
    });
    this.switchoverSeconds = new promClient.Histogram({
      name: 'mlayer_switchover_duration_seconds',
      help: 'Time from failure detected to backup acknowledged primary, by pair',
      labelNames: ['pair'],
      buckets: [...SWITCHOVER_BUCKETS],
      registers,
    });
    this.blocked = new promClient.Counter({
      name: 'mlayer_switchover_blocked_total',
      help: 'Switchovers a guard refused, by pair and guard',
      labelNames: ['pair', 'guard'],
      registers,
    });
    this.lcaConnected = new promClient.Gauge({
      name: 'mlayer_lca_connected',
      help: 'Whether the link to the LCA of a host is up (1) or down (0)',
      labelNames: ['host'],
      registers,
    });
    this.scsRole = new promClient.Gauge({
      name: 'mlayer_scs_role',
      help: 'Role of this SCS: 1 for the current role, 0 for the other',
      labelNames: ['role'],
      registers,
    });
    this.epoch = new promClient.Gauge({
      name: 'mlayer_scs_epoch',
      help: 'Epoch of this SCS (grows by one on every promotion)',
      registers,
    });
    this.pairPrimary = new promClient.Gauge({
      name: 'mlayer_pair_primary',
      help: 'Which member of a pair acts as primary (1), as the SCS sees it',
      labelNames: ['pair', 'app'],
      registers,
    });
    this.pairProtected = new promClient.Gauge({
      name: 'mlayer_pair_protected',
      help: 'Whether a pair has a started backup ready to take over (hot standby: in sync)',
      labelNames: ['pair'],
      registers,
    });
    this.noBrain = new promClient.Gauge({
      name: 'mlayer_scs_no_brain',
      help: 'A backup SCS that sees neither its peer nor any LCA (1): it does not promote itself blindly',
      registers,
    });
  }

  /** Also starts the restart counter of an application at 0, so it is visible before its first restart. */
  setAppStatus(app: string, host: string, status: AppStatus): void {
    const previousHost = this.appHosts.get(app);
    const previous = this.appStatuses.get(app);
    this.appStatuses.set(app, status);
    if (previousHost === host && previous !== undefined) {
      if (previous === status) return;
      this.appStatus.set({ app, host, status: previous }, 0);
      this.appStatus.set({ app, host, status }, 1);
      return;
    }
    if (previousHost === undefined) this.restarts.inc({ app }, 0);
    else if (previousHost !== host) this.removeStatusSeries(app, previousHost);
    this.appHosts.set(app, host);
    for (const s of APP_STATUSES) this.appStatus.set({ app, host, status: s }, s === status ? 1 : 0);
  }

  setAppRole(app: string, role: Role): void {
    const previous = this.appRoles.get(app);
    if (previous === role) return;
    this.appRoles.set(app, role);
    if (previous !== undefined) {
      this.appRole.set({ app, role: previous }, 0);
      this.appRole.set({ app, role }, 1);
      return;
    }
    for (const r of ROLES) this.appRole.set({ app, role: r }, r === role ? 1 : 0);
  }

  countRestart(app: string): void {
    this.restarts.inc({ app });
  }

  /**
   * Starts a pair's counters and its switchover-duration histogram at 0 for every reason and
   * guard, so that Prometheus's increase() counts its first switchover too.
   */
  initPair(pair: string, guards: readonly string[]): void {
    this.switchoverSeconds.zero({ pair });
    for (const reason of SWITCHOVER_REASONS) {
      remember(this.pairReasons, pair, reason);
      this.switchovers.inc({ pair, reason }, 0);
    }
    for (const guard of guards) {
      remember(this.pairGuards, pair, guard);
      this.blocked.inc({ pair, guard }, 0);
    }
  }

  /** Which member acts as primary (1) and whether a started backup stands ready. */
  setPairState(pair: string, members: readonly string[], active: string | null, protectedPair: boolean): void {
    const state = `${members.join(',')}|${active ?? ''}|${protectedPair}`;
    if (this.pairStates.get(pair) === state) return;
    this.pairStates.set(pair, state);
    this.pairMembers.set(pair, members);
    for (const app of members) this.pairPrimary.set({ pair, app }, app === active ? 1 : 0);
    this.pairProtected.set({ pair }, protectedPair ? 1 : 0);
  }

  setNoBrain(active: boolean): void {
    this.noBrain.set(active ? 1 : 0);
  }

  /** A completed switchover; `seconds` is left out when the start of the failure is unknown. */
  recordSwitchover(pair: string, reason: string, seconds?: number): void {
    remember(this.pairReasons, pair, reason);
    this.switchovers.inc({ pair, reason });
    if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) this.switchoverSeconds.observe({ pair }, seconds);
  }

  countBlocked(pair: string, guard: string): void {
    remember(this.pairGuards, pair, guard);
    this.blocked.inc({ pair, guard });
  }

  setLcaConnected(host: string, up: boolean): void {
    this.lcaConnected.set({ host }, up ? 1 : 0);
  }

  setScsRole(role: ScsRole): void {
    for (const r of SCS_ROLES) this.scsRole.set({ role: r }, r === role ? 1 : 0);
  }

  setEpoch(epoch: number): void {
    this.epoch.set(epoch);
  }

  /** Drops every series of an application removed by a config reload. */
  removeApp(app: string): void {
    const host = this.appHosts.get(app);
    if (host !== undefined) this.removeStatusSeries(app, host);
    this.appHosts.delete(app);
    this.appStatuses.delete(app);
    this.appRoles.delete(app);
    for (const role of ROLES) this.appRole.remove({ app, role });
    this.restarts.remove({ app });
  }

  /** Drops every series of a pair removed by a config reload. */
  removePair(pair: string): void {
    for (const reason of this.pairReasons.get(pair) ?? []) this.switchovers.remove({ pair, reason });
    for (const guard of this.pairGuards.get(pair) ?? []) this.blocked.remove({ pair, guard });
    this.pairReasons.delete(pair);
    this.pairGuards.delete(pair);
    this.pairStates.delete(pair);
    this.switchoverSeconds.remove({ pair });
    this.pairProtected.remove({ pair });
    for (const labels of this.pairPrimaryLabels(pair)) this.pairPrimary.remove(labels);
  }

  /** Drops the link series of a host removed by a config reload. */
  removeHost(host: string): void {
    this.lcaConnected.remove({ host });
  }

  private pairPrimaryLabels(pair: string): Array<{ pair: string; app: string }> {
    const members = this.pairMembers.get(pair) ?? [];
    this.pairMembers.delete(pair);
    return members.map((app) => ({ pair, app }));
  }

  private removeStatusSeries(app: string, host: string): void {
    for (const status of APP_STATUSES) this.appStatus.remove({ app, host, status });
  }
}

function remember(index: Map<string, Set<string>>, key: string, value: string): void {
  let values = index.get(key);
  if (values === undefined) index.set(key, (values = new Set()));
  values.add(value);
}
