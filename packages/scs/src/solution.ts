// What an SCS is told to run: its own settings, the hosts, the applications and the pairs, in
// the units the SCS works in (milliseconds, parsed addresses). The command line maps the
// configuration file onto this; tests and the chaos harness build it directly.

import type { AddpSettings } from '@mlayer/addp';
import type { AppKind, AppSpec, HostPort, RedundancyType } from '@mlayer/common';
import type { PairSettings } from './guards.js';

export interface ScsSettings {
  readonly id: string;
  readonly http: HostPort;
  readonly journalDir: string;
  /** Bearer token for mutating API requests; undefined = open. */
  readonly apiToken?: string;
  /** Shared secret with the LCAs; undefined only for LCAs that run without one (loopback). */
  readonly lcaSecret?: string;
  /** The SCS watches each LCA with `timeoutMs` and asks the LCA to watch it with `remoteTimeoutMs`. */
  readonly addp: AddpSettings;
  /** How long a lost LCA may stay lost before its applications are treated as failed (0 = at once). */
  readonly disconnectSwitchoverTimeoutMs: number;
  /** How long the SCS waits at start for the preferred primary before promoting a started backup. */
  readonly startWindowMs: number;
  /** The other SCS of a redundant pair, if any (CONTRACT.md section 7). */
  readonly pair?: ScsPairSettings;
}

export interface ScsPairSettings {
  readonly peer: { readonly id: string; readonly host: string; readonly address: HostPort };
  /** Where this SCS listens for its peer. */
  readonly listen: HostPort;
  /** The host this SCS runs on. */
  readonly host: string;
  /** The preferred primary of the pair (tie-break at a simultaneous start). */
  readonly preferred: boolean;
  /** How long an SCS waits at start to meet its peer before deciding alone. */
  readonly negotiateWindowMs: number;
  /** How long a backup waits, once both paths to the primary SCS are lost, before it promotes itself. */
  readonly takeoverDelayMs: number;
}

export interface HostSpec {
  readonly name: string;
  readonly lca: HostPort;
}

export interface ApplicationSpec {
  /** What the LCA needs to launch it. */
  readonly spec: AppSpec;
  readonly host: string;
  readonly kind: AppKind;
  readonly redundancy: RedundancyType;
  readonly autostart: boolean;
  readonly autoRestart: boolean;
  readonly restart: { readonly initialMs: number; readonly maxMs: number };
  /** The pair it belongs to (the primary's name), or null. */
  readonly pair: string | null;
}

export interface PairSpec extends PairSettings {
  readonly primary: string;
  readonly backup: string;
}

export interface Solution {
  readonly scs: ScsSettings;
  readonly hosts: readonly HostSpec[];
  readonly applications: readonly ApplicationSpec[];
  readonly pairs: readonly PairSpec[];
}
