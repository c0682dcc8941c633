// One host as the SCS sees it: the link to its LCA and what losing it means. Losing an LCA means
// all applications of that host have failed (seed 003) — after `disconnectSwitchoverTimeout`,
// so that a short blip does not cause a switchover; process failures reported before the loss
// are acted on at once.

import type { LinkMetrics } from '@mlayer/addp';
import { type Clock, type Logger, type Snapshot, type LcaMessage, type TimerHandle, formatHostPort } from '@mlayer/common';
import { type ConnectFunction, LcaLink } from './lca-link.js';
import type { ScsEventBody } from './events.js';
import type { HostSpec, ScsSettings } from './solution.js';
import type { HostView } from './views.js';

export interface HostHooks {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics?: LinkMetrics;
  readonly connect?: ConnectFunction;
  readonly random?: () => number;
  journal(event: ScsEventBody): void;
  connectedChanged(host: Host): void;
  snapshot(host: Host, snapshot: Snapshot): void;
  report(host: Host, message: LcaMessage): void;
  /** The LCA refused a command of this SCS's epoch: it follows a newer one. */
  fenced(host: Host): void;
  /** The loss has lasted `disconnectSwitchoverTimeout`: the host's applications have failed. */
  lost(host: Host): void;
}

export class Host {
  readonly link: LcaLink;
  connected = false;
  /** Wall-clock ms of the last change of `connected` (null: never connected). */
  since: number | null = null;
  private lossTimer: TimerHandle | undefined;
  private stopping = false;

  /** `settings` is read when needed, so a reloaded disconnectSwitchoverTimeout applies at once. */
  constructor(readonly spec: HostSpec, private readonly settings: () => ScsSettings, private readonly hooks: HostHooks) {
    const initial = settings();
    this.link = new LcaLink({
      host: spec.name,
      address: spec.lca,
      secret: initial.lcaSecret,
      scsId: initial.id,
      addp: initial.addp,
      clock: hooks.clock,
      logger: hooks.log,
      ...(hooks.metrics ? { metrics: hooks.metrics } : {}),
      ...(hooks.connect ? { connect: hooks.connect } : {}),
      ...(hooks.random ? { backoff: { random: hooks.random } } : {}),
    });
    this.link.on('connected', (snapshot) => this.onConnected(snapshot));
    this.link.on('disconnected', (loss) => this.onDisconnected(loss.message));
    this.link.on('report', (message) => hooks.report(this, message));
    this.link.on('fenced', () => hooks.fenced(this));
  }

  get name(): string {
    return this.spec.name;
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.clearLossTimer();
    await this.link.stop();
  }

  view(): HostView {
    return {
      name: this.name,
      lca: formatHostPort(this.spec.lca),
      connected: this.connected,
      since: this.since === null ? null : new Date(this.since).toISOString(),
    };
  }

  private onConnected(snapshot: Snapshot): void {
    this.clearLossTimer();
    this.connected = true;
    this.since = Date.now();
    this.hooks.log.info('LCA connected', { host: this.name, apps: snapshot.apps.length });
    this.hooks.journal({ type: 'host-connected', host: this.name });
    this.hooks.connectedChanged(this);
    this.hooks.snapshot(this, snapshot);
  }

  private onDisconnected(message: string): void {
    if (this.stopping) return;
    this.connected = false;
    this.since = Date.now();
    const waitMs = this.settings().disconnectSwitchoverTimeoutMs;
    this.hooks.log.warn('LCA lost', { host: this.name, detail: message, switchoverInMs: waitMs });
    this.hooks.journal({ type: 'host-disconnected', host: this.name });
    this.hooks.connectedChanged(this);
    if (waitMs === 0) {
      this.hooks.lost(this);
      return;
    }
    this.clearLossTimer();
    this.lossTimer = this.hooks.clock.setTimeout(() => {
      this.lossTimer = undefined;
      if (!this.connected) this.hooks.lost(this);
    }, waitMs);
  }

  private clearLossTimer(): void {
    if (this.lossTimer !== undefined) this.hooks.clock.clearTimeout(this.lossTimer);
    this.lossTimer = undefined;
  }
}
