// The shapes of an SCS's link to an LCA: its status, events, options and defaults.

import type { AddpSettings, ConnectOptions, Connection, LinkMetrics, LostReason } from '@mlayer/addp';
import type { Clock, HostPort, LcaMessage, Logger, Snapshot } from '@mlayer/common';

/**
 * `idle` (never started) → `connecting` (TCP + ADDP handshake) → `authenticating` (the `auth`
 * request) → `connected`; any failure or loss → `waiting` (backoff) → `connecting`; `stopped`.
 */
export type LcaLinkStatus = 'idle' | 'connecting' | 'authenticating' | 'connected' | 'waiting' | 'stopped';

export interface LcaLinkLoss {
  readonly reason: LostReason;
  readonly message: string;
  /** True when this side closed the link (stop(), or an invalid message from the LCA). */
  readonly local: boolean;
}

export interface LcaLinkEvents {
  /** Every (re)connection, once authenticated: the LCA's full state. */
  connected: [Snapshot];
  /** Once per loss of an authenticated link (including stop()). */
  disconnected: [LcaLinkLoss];
  /** Every validated one-way message (app-status, app-role, app-facts), in order. */
  report: [LcaMessage];
  /** Each new ADDP Connection, right after its handshake (for RTT/timeout metrics). */
  link: [Connection];
  /** Every change of `status`. */
  status: [next: LcaLinkStatus, previous: LcaLinkStatus];
  /** The LCA refused a command as sent under an older epoch than it follows: another SCS took over. */
  fenced: [];
}

export type ConnectFunction = (options: ConnectOptions) => Promise<Connection>;

export interface LcaLinkOptions {
  /** The configured host name. */
  readonly host: string;
  /** Where its LCA listens. */
  readonly address: HostPort;
  /** The shared secret; undefined only for an LCA that runs without one (loopback). */
  readonly secret: string | undefined;
  /** This SCS's id (sent in the HELLO and the `auth` request). */
  readonly scsId: string;
  /** `timeoutMs`: how long this SCS tolerates silence from the LCA; `remoteTimeoutMs`: asks the LCA to watch this SCS. */
  readonly addp?: AddpSettings;
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number; readonly random?: () => number };
  /** For requests without an application timeout of their own (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** TCP connect plus ADDP handshake (default: addp's connectTimeoutFor, 2-10 s from the ADDP timeout). */
  readonly connectTimeoutMs?: number;
  /** Also fed the RTT and timeouts of every Connection, as peer `lca:HOST`. */
  readonly metrics?: LinkMetrics;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Opens an ADDP link (default: addp's `connect`); tests inject in-memory links. */
  readonly connect?: ConnectFunction;
}

export const LCA_LINK_DEFAULTS = {
  addp: { timeoutMs: 3000, remoteTimeoutMs: 3000, trace: 'off' },
  backoff: { initialMs: 100, maxMs: 5000 },
  requestTimeoutMs: 10_000,
} as const satisfies { addp: AddpSettings; backoff: object; requestTimeoutMs: number };
