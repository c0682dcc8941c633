// The shell around one application's pure state (app-state.ts): it owns the process handle, the
// application's ADDP link and the timers, feeds events in, and carries the effects out.

import { randomBytes } from 'node:crypto';
import type { Connection, LostInfo } from '@mlayer/addp';
import {
  type AppReport,
  type AppSpec,
  type Clock,
  type Logger,
  type Role,
  type TimerHandle,
  MlayerError,
  LCA_ERRORS,
  appMessageSchema,
  errorMessage,
  factsReplySchema,
  roleReplySchema,
} from '@mlayer/common';
import { type AppEffect, type AppEvent, type AppState, type AppTimeouts, type Facts, type TimerName, hasProcess, initialAppState, transition } from './app-state.js';
import type { LaunchedProcess, ProcessControl } from './launcher.js';

const TIMER_EVENTS: Readonly<Record<TimerName, AppEvent>> = {
  start: { type: 'start-timeout' },
  stop: { type: 'stop-timeout' },
  adopt: { type: 'adopt-timeout' },
};

/** How often a process this LCA did not start itself (re-adopted) is checked for life. */
export const ADOPTED_PID_CHECK_MS = 250;

export interface ManagedAppDeps {
  readonly clock: Clock;
  readonly processes: ProcessControl;
  readonly log: Logger;
  readonly adoptTimeoutMs: number;
  /** Called after every change of state, with the state before it. */
  onChange(app: ManagedApp, previous: AppState): void;
}

export class ManagedApp {
  spec: AppSpec;
  /** The launch token: only the process started with it may register as this application. */
  token = '';
  startTime: string | null = null;
  private state: AppState;
  private link: Connection | undefined;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private pidCheck: TimerHandle | undefined;
  private readonly log: Logger;

  constructor(spec: AppSpec, private readonly deps: ManagedAppDeps) {
    this.spec = spec;
    this.state = initialAppState(deps.clock.now());
    this.log = deps.log.child({ app: spec.name });
  }

  get name(): string {
    return this.spec.name;
  }

  get current(): AppState {
    return this.state;
  }

  get running(): boolean {
    return hasProcess(this.state);
  }

  report(): AppReport {
    const s = this.state;
    return {
      app: this.name,
      status: s.status,
      role: s.role,
      pid: s.pid,
      exitCode: s.exitCode,
      signal: s.signal,
      reason: s.reason,
      facts: { ...s.facts },
      mono: s.since,
      time: new Date(Date.now() - (this.deps.clock.now() - s.since)).toISOString(),
    };
  }

  /** A fresh launch token (before each start). */
  newToken(): string {
    this.token = randomBytes(24).toString('hex');
    return this.token;
  }

  launched(process: LaunchedProcess): void {
    this.startTime = process.startTime;
    this.dispatch({ type: 'spawned', pid: process.pid });
    const pid = process.pid;
    process.onExit((code, signal) => {
      if (this.state.pid === pid) this.dispatch({ type: 'exited', code, signal });
    });
  }

  launchFailed(): void {
    this.dispatch({ type: 'spawn-failed' });
  }

  /** Takes over a process started by an earlier run of this LCA. */
  adopt(pid: number, startTime: string | null, status: AppState['status'], role: Role): void {
    this.startTime = startTime;
    this.dispatch({ type: 'adopted', pid, status, role });
    this.watchPid();
  }

  /** The application's SDK registered (or re-registered): this link is now the application. */
  attach(link: Connection, pid: number): void {
    if (this.link && this.link !== link) {
      this.log.warn('application registered again: replacing its previous link');
      this.dropLink('replaced by a new registration');
    }
    this.link = link;
    this.log.info('application registered', { pid, readopted: this.state.status !== 'start-pending' });
    link.on('message', (message) => this.onMessage(link, message));
    link.once('lost', (info) => this.onLost(link, info));
    this.dispatch({ type: 'linked', pid });
  }

  stop(graceful: boolean): void {
    this.dispatch({ type: 'stop', graceful });
  }

  kill(): void {
    this.dispatch({ type: 'kill' });
  }

  /** Asks the application to take `role`; resolves with the role it acknowledged. */
  async setRole(role: Role, timeoutMs: number): Promise<Role> {
    const reply = roleReplySchema.safeParse(await this.requireLink().request({ type: 'set-role', role }, { timeoutMs }));
    if (!reply.success) throw new MlayerError(LCA_ERRORS.badRequest, `${this.name} answered set-role with a malformed reply`);
    if (this.state.pid !== null) this.dispatch({ type: 'role-acked', role: reply.data.role });
    if (reply.data.role !== role) {
      throw new MlayerError(LCA_ERRORS.appTimeout, `${this.name} refused role ${role}: it answered ${reply.data.role}`);
    }
    return reply.data.role;
  }

  /** Asks the application for its facts now (not the last reported ones). */
  async queryFacts(timeoutMs: number): Promise<Facts> {
    const reply = factsReplySchema.safeParse(await this.requireLink().request({ type: 'query-facts' }, { timeoutMs }));
    if (!reply.success) throw new MlayerError(LCA_ERRORS.badRequest, `${this.name} answered query-facts with a malformed reply`);
    this.dispatch({ type: 'app-facts', facts: reply.data.facts });
    return reply.data.facts;
  }

  /** LCA shutdown: forget timers and the link without treating anything as a failure. */
  release(): void {
    for (const timer of this.timers.values()) this.deps.clock.clearTimeout(timer);
    this.timers.clear();
    if (this.pidCheck !== undefined) this.deps.clock.clearTimeout(this.pidCheck);
    this.pidCheck = undefined;
    this.dropLink('LCA shutting down');
  }

  /** The one place state changes: carry out the effects, tell the owner (the report), then log old -> new. */
  dispatch(event: AppEvent): void {
    const previous = this.state;
    const { state, effects } = transition(previous, event, this.deps.clock.now(), this.timeouts());
    this.state = state;
    // Signals and the report to the SCS come first: a failover waits on them, not on a log line.
    for (const effect of effects) this.perform(effect);
    if (state !== previous) this.deps.onChange(this, previous);
    for (const effect of effects) {
      if (effect.type === 'signal') this.log.info('signalled application', { pid: previous.pid ?? state.pid, signal: effect.signal });
    }
    if (state.status !== previous.status) {
      this.log.info('application status', { from: previous.status, to: state.status, pid: state.pid, reason: state.reason, event: event.type });
    }
  }

  private timeouts(): AppTimeouts {
    return { startTimeoutMs: this.spec.startTimeoutMs, stopTimeoutMs: this.spec.stopTimeoutMs, adoptTimeoutMs: this.deps.adoptTimeoutMs };
  }

  private perform(effect: AppEffect): void {
    switch (effect.type) {
      case 'signal': {
        const pid = this.state.pid;
        if (pid === null) return;
        const delivered = this.deps.processes.signal(pid, effect.signal);
        if (!delivered && this.pidCheck !== undefined) this.checkPid();
        return;
      }
      case 'request-suspend':
        this.link?.request({ type: 'suspend' }, { timeoutMs: Math.max(1, this.spec.stopTimeoutMs) }).catch((error: unknown) => {
          this.log.info('application did not acknowledge suspend', { error: errorMessage(error) });
        });
        return;
      case 'start-timer': {
        this.cancelTimer(effect.timer);
        const timer = this.deps.clock.setTimeout(() => {
          this.timers.delete(effect.timer);
          this.dispatch(TIMER_EVENTS[effect.timer]);
        }, effect.ms);
        this.timers.set(effect.timer, timer);
        return;
      }
      case 'cancel-timer':
        this.cancelTimer(effect.timer);
        return;
      case 'persist':
        return; // the owner persists in onChange
    }
  }

  private cancelTimer(name: TimerName): void {
    const timer = this.timers.get(name);
    if (timer !== undefined) this.deps.clock.clearTimeout(timer);
    this.timers.delete(name);
  }

  private requireLink(): Connection {
    if (!this.link) throw new MlayerError(LCA_ERRORS.notRunning, `${this.name} is not connected to this LCA (status ${this.state.status})`);
    return this.link;
  }

  private onMessage(link: Connection, message: unknown): void {
    const parsed = appMessageSchema.safeParse(message);
    if (!parsed.success) {
      this.log.warn('application sent a message this LCA does not understand; closing its link', { message: JSON.stringify(message).slice(0, 200) });
      link.close('unknown message');
      return;
    }
    const m = parsed.data;
    if (m.type === 'status') this.dispatch({ type: 'app-status', status: m.status });
    else if (m.type === 'facts') this.dispatch({ type: 'app-facts', facts: m.facts });
    else this.dispatch({ type: 'app-state', status: m.status, role: m.role, facts: m.facts });
  }

  private onLost(link: Connection, info: LostInfo): void {
    if (this.link !== link) return;
    this.link = undefined;
    this.dispatch({ type: 'link-lost', reason: info.reason });
    this.log.info('application link lost', { reason: info.reason, detail: info.message });
  }

  private dropLink(reason: string): void {
    const link = this.link;
    this.link = undefined;
    link?.close(reason);
  }

  /** Processes this LCA did not start give no exit event: poll for them instead. */
  private watchPid(): void {
    this.pidCheck = this.deps.clock.setTimeout(() => this.checkPid(), ADOPTED_PID_CHECK_MS);
    this.pidCheck.unref?.();
  }

  private checkPid(): void {
    if (this.pidCheck !== undefined) this.deps.clock.clearTimeout(this.pidCheck);
    this.pidCheck = undefined;
    const pid = this.state.pid;
    if (pid === null || !hasProcess(this.state)) return;
    if (this.deps.processes.isAlive(pid, this.startTime)) this.watchPid();
    else this.dispatch({ type: 'vanished' });
  }
}
