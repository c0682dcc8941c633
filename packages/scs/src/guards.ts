// The named, pure predicates the pair machine decides with. Each takes plain data and returns a
// boolean or a verdict; none reads a clock, a socket or a file.

import type { AppKind, AppStatus, RedundancyType, Role, SwitchoverReason } from '@mlayer/common';

export type Slot = 'a' | 'b';
export type Facts = Readonly<Record<string, string>>;

/** What the SCS knows of one member of a pair. */
export interface Member {
  readonly name: string;
  readonly status: AppStatus;
  /** The role the application last acknowledged. */
  readonly role: Role;
  /** False once the loss of its host's LCA has taken effect (after disconnectSwitchoverTimeout). */
  readonly hostUp: boolean;
  readonly facts: Facts;
  /** Stopped by an operator: not a failure. */
  readonly planned: boolean;
}

export interface PairSettings {
  readonly name: string;
  readonly kind: AppKind;
  readonly redundancy: RedundancyType;
  readonly requireSync: boolean;
  readonly flapping: { readonly maxSwitchovers: number; readonly windowMs: number };
  readonly switchoverTimeoutMs: number;
  readonly startWindowMs: number;
}

export const other = (slot: Slot): Slot => (slot === 'a' ? 'b' : 'a');

/** Started and reachable: it can serve as primary now. */
export function isHealthy(m: Member): boolean {
  return m.hostUp && m.status === 'started';
}

/** A live process that follows roles (it may be unavailable for service). */
export function isRunning(m: Member): boolean {
  return m.hostUp && (m.status === 'started' || m.status === 'service-unavailable');
}

export function isUnavailable(m: Member): boolean {
  return m.hostUp && m.status === 'service-unavailable';
}

const GONE: ReadonlySet<AppStatus> = new Set<AppStatus>(['stopped', 'hung', 'unknown', 'start-pending', 'initializing', 'stop-pending', 'suspending', 'suspended']);

/** The process cannot act as primary at all (it is dead, hung, stopping, starting or unreachable). */
export function isGone(m: Member): boolean {
  return !m.hostUp || GONE.has(m.status);
}

/** Why a primary in this state has failed, or null if it has not. */
export function failureReason(m: Member): SwitchoverReason | null {
  if (!m.hostUp) return 'host-failure';
  if (m.status === 'hung') return 'hang';
  if (m.status === 'service-unavailable') return 'service-unavailable';
  if (GONE.has(m.status)) return m.planned ? 'manual' : 'process-failure';
  return null;
}

/** The primary has failed and the other member can take over now. */
export function backupCanTakeOver(primary: Member, backup: Member): boolean {
  return failureReason(primary) !== null && isHealthy(backup);
}

/** The primary is gone and nobody can take over: the pair has no primary. */
export function pairHasNoPrimary(primary: Member, backup: Member): boolean {
  return isGone(primary) && !isHealthy(backup);
}

export type GuardVerdict = { readonly pass: true } | { readonly pass: false; readonly guard: string; readonly message: string };

/**
 * Config Server guard (seed 003): a backup Configuration Server takes over only if it has lost
 * its own connection to the primary (`peer` = `down`) and still reaches its database
 * (`database` = `up`).
 */
export function configServerGuard(candidate: string, facts: Facts): GuardVerdict {
  if (facts.peer === 'down' && facts.database === 'up') return { pass: true };
  const why: string[] = [];
  if (facts.peer !== 'down') why.push(`it still sees the primary (peer=${facts.peer ?? 'unknown'})`);
  if (facts.database !== 'up') why.push(`it does not reach its database (database=${facts.database ?? 'unknown'})`);
  return { pass: false, guard: 'config-server', message: `${candidate} will not take over: ${why.join(' and ')}` };
}

/** Hot standby with `requireSync`: a lagging backup is not promoted. */
export function syncGuard(settings: PairSettings, candidate: string, facts: Facts): GuardVerdict {
  if (!settings.requireSync || settings.redundancy !== 'hot-standby' || facts.sync === 'in-sync') return { pass: true };
  return { pass: false, guard: 'sync', message: `${candidate} is not in sync (sync=${facts.sync ?? 'unknown'}) and the pair requires it` };
}

/** Hot standby: promoting a backup that does not report `in-sync` loses data (recorded, not refused). */
export function isUnsynchronized(settings: PairSettings, facts: Facts): boolean {
  return settings.redundancy === 'hot-standby' && facts.sync !== 'in-sync';
}

/** A started backup stands ready; for hot standby it must also be in sync. */
export function isProtected(settings: PairSettings, backup: Member | undefined): boolean {
  if (!backup || !isHealthy(backup)) return false;
  return settings.redundancy !== 'hot-standby' || backup.facts.sync === 'in-sync';
}

export type ManualVerdict = { readonly allowed: true } | { readonly allowed: false; readonly code: string; readonly message: string };

/** Whether an operator may make `target` the primary now (the Config Server guard runs after). */
export function manualSwitchoverAllowed(target: Member, primary: Slot | null, targetSlot: Slot, busy: boolean): ManualVerdict {
  if (primary === targetSlot) return { allowed: false, code: 'already-primary', message: `${target.name} is already the primary` };
  if (busy) return { allowed: false, code: 'switchover-in-progress', message: 'a switchover of this pair is already in progress' };
  if (!isHealthy(target)) {
    return { allowed: false, code: 'target-not-started', message: `${target.name} is not started (status ${target.status}${target.hostUp ? '' : ', host down'})` };
  }
  return { allowed: true };
}

/** More than `maxSwitchovers` in the window counts as flapping. Returns the count in the window. */
export function switchoversInWindow(times: readonly number[], now: number, windowMs: number): number {
  return times.filter((t) => now - t <= windowMs).length;
}
