// The SCS's view of one application: what its LCA last reported (status, acknowledged role,
// pid, facts), whether its host is reachable, and the SCS's own intentions for it (desired role,
// planned stop, restarts). All changes go through `apply`, which returns what changed.

import type { AppReport, AppStatus, Role } from '@mlayer/common';
import type { Member } from './guards.js';
import type { ApplicationSpec } from './solution.js';
import type { ApplicationView } from './views.js';

export interface Observation {
  readonly status?: AppStatus;
  readonly role?: Role;
  readonly pid?: number | null;
  readonly facts?: Readonly<Record<string, string>>;
  readonly hostUp?: boolean;
}

export interface Change {
  readonly status?: { readonly from: AppStatus; readonly to: AppStatus };
  readonly role?: { readonly from: Role; readonly to: Role };
  readonly facts?: boolean;
  readonly hostUp?: boolean;
}

export class Application {
  status: AppStatus = 'unknown';
  role: Role = 'none';
  desiredRole: Role = 'none';
  pid: number | null = null;
  facts: Readonly<Record<string, string>> = {};
  hostUp = false;
  /** Wall-clock ms when `status` was entered. */
  since = Date.now();
  /** Stopped by an operator: not restarted, not a failure. */
  planned = false;
  /** Restart after the planned stop completes (operator `restart`). */
  restartWhenStopped = false;
  /** Flapping: not restarted automatically until an operator starts it. */
  restartSuspended = false;
  /** The SCS has seen it run (so a later stop is a failure, not a first start). */
  everRan = false;
  restarts = 0;

  constructor(public config: ApplicationSpec) {}

  get name(): string {
    return this.config.spec.name;
  }

  get running(): boolean {
    return this.status === 'started' || this.status === 'service-unavailable' || this.status === 'initializing'
      || this.status === 'start-pending' || this.status === 'suspending' || this.status === 'suspended'
      || this.status === 'stop-pending' || this.status === 'hung';
  }

  /** Takes in what was observed; returns what changed (empty when nothing did). */
  apply(o: Observation): Change {
    const change: { -readonly [K in keyof Change]: Change[K] } = {};
    if (o.status !== undefined && o.status !== this.status) {
      change.status = { from: this.status, to: o.status };
      this.status = o.status;
      this.since = Date.now();
      if (o.status === 'started' || o.status === 'service-unavailable') this.everRan = true;
    }
    // A process that is gone holds no role, whatever it last acknowledged.
    const role = this.status === 'stopped' || this.status === 'unknown' ? 'none' : o.role;
    if (role !== undefined && role !== this.role) {
      change.role = { from: this.role, to: role };
      this.role = role;
    }
    if (o.pid !== undefined) this.pid = o.pid;
    if (o.facts !== undefined && JSON.stringify(o.facts) !== JSON.stringify(this.facts)) {
      this.facts = o.facts;
      change.facts = true;
    }
    if (o.hostUp !== undefined && o.hostUp !== this.hostUp) {
      this.hostUp = o.hostUp;
      change.hostUp = true;
    }
    return change;
  }

  static fromReport(report: AppReport): Observation {
    return { status: report.status, role: report.role, pid: report.pid, facts: report.facts };
  }

  member(): Member {
    return { name: this.name, status: this.status, role: this.role, hostUp: this.hostUp, facts: this.facts, planned: this.planned };
  }

  view(): ApplicationView {
    const c = this.config;
    return {
      name: this.name,
      host: c.host,
      kind: c.kind,
      status: this.status,
      role: this.role,
      desiredRole: this.desiredRole,
      pid: this.pid,
      pair: c.pair,
      redundancy: c.redundancy,
      restarts: this.restarts,
      facts: { ...this.facts },
      since: new Date(this.since).toISOString(),
    };
  }
}
