// What the SCS shows to operators (CONTRACT.md section 5): the read model behind the HTTP API,
// the CLI and the status table, and the commands it accepts.

import type { AppKind, AppStatus, RedundancyType, Role } from '@mlayer/common';
import type { JournalEvent } from './events.js';

export type ScsRole = 'primary' | 'backup';

export interface ScsView {
  readonly id: string;
  readonly role: ScsRole;
  readonly epoch: number;
  /** Set for an SCS pair: the peer's id, whether the direct link is up, and its API URL if known. */
  readonly peer?: { readonly id: string; readonly connected: boolean; readonly url?: string };
}

export interface HostView {
  readonly name: string;
  /** The LCA address, HOST:PORT. */
  readonly lca: string;
  readonly connected: boolean;
  /** ISO-8601: when `connected` last changed (null: never connected). */
  readonly since: string | null;
}

export interface ApplicationView {
  readonly name: string;
  readonly host: string;
  readonly kind: AppKind;
  readonly status: AppStatus;
  /** The role the application itself last acknowledged. */
  readonly role: Role;
  /** The role the SCS wants it to have. */
  readonly desiredRole: Role;
  readonly pid: number | null;
  /** The pair name (the primary's name), or null for an application without redundancy. */
  readonly pair: string | null;
  readonly redundancy: RedundancyType;
  readonly restarts: number;
  readonly facts: Readonly<Record<string, string>>;
  /** ISO-8601: when `status` was entered. */
  readonly since: string;
}

export interface PairView {
  readonly name: string;
  readonly primary: string;
  readonly backup: string;
  readonly redundancy: RedundancyType;
  /** The member that acts as primary now (null: none). */
  readonly active: string | null;
  /** The pair machine's state, e.g. `active`, `switching`, `blocked`, `no-primary`. */
  readonly state: string;
  /** A started backup stands ready (hot standby: and reports `sync` = `in-sync`). */
  readonly protected: boolean;
  readonly lastSwitchover: { readonly at: string; readonly reason: string; readonly ms: number | null } | null;
}

export interface StatusView {
  readonly scs: ScsView;
  readonly hosts: readonly HostView[];
  readonly applications: readonly ApplicationView[];
  readonly pairs: readonly PairView[];
}

/** The outcome of an operator command; `refused` maps to HTTP 409 (404 for `unknown-app`). */
export type CommandResult =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly code: string; readonly message: string; readonly primaryUrl?: string };

/** Everything the HTTP API needs from the SCS. */
export interface ScsService {
  status(): StatusView;
  /** The parts of the status the narrower endpoints serve, without building the rest (else taken from status()). */
  hostViews?(): readonly HostView[];
  applicationViews?(): readonly ApplicationView[];
  applicationView?(name: string): ApplicationView | undefined;
  events(since: number, limit: number): Promise<readonly JournalEvent[]>;
  /** Live events from now on; returns the unsubscribe function. */
  subscribe(listener: (event: JournalEvent) => void): () => void;
  start(app: string): Promise<CommandResult>;
  stop(app: string, graceful: boolean): Promise<CommandResult>;
  restart(app: string): Promise<CommandResult>;
  switchover(app: string): Promise<CommandResult>;
}
