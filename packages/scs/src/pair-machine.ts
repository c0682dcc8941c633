// One primary/backup pair as an xstate machine. It is pure: it takes what the SCS observed
// (member views, role acknowledgements, fresh facts, operator requests) and emits what must be
// done (assign a role, query facts, fence a member, journal an event). The shell (pairs.ts)
// carries the emitted effects out, in order, journal first.
//
//   starting ──► switching ──► active ──(primary failed, backup started)──► switching
//      │            ▲  │          │
//      └─► no-primary ◄┘──────────┘ (primary gone, nobody to take over)
//
// switching = guarding → (querying → blocked) → demoting → promoting → active.

import { type SnapshotFrom, assign, enqueueActions, setup } from 'xstate';
import type { Role, SwitchoverReason } from '@mlayer/common';
import type { ScsEventBody } from './events.js';
import {
  type Facts,
  type Member,
  type PairSettings,
  type Slot,
  backupCanTakeOver,
  configServerGuard,
  failureReason,
  isHealthy,
  isRunning,
  isUnavailable,
  isUnsynchronized,
  manualSwitchoverAllowed,
  other,
  pairHasNoPrimary,
  switchoversInWindow,
  syncGuard,
} from './guards.js';

export interface PairInput {
  readonly settings: PairSettings;
  readonly members: Readonly<Record<Slot, Member>>;
  /** The member the journal last recorded as primary (after an SCS restart), if any. */
  readonly lastPrimary: Slot | null;
}

export interface PairContext {
  readonly settings: PairSettings;
  readonly members: Readonly<Record<Slot, Member>>;
  /** The member acting as primary (during a switchover: the one being replaced). */
  readonly primary: Slot | null;
  /** The member being promoted. */
  readonly candidate: Slot | null;
  /** The member that failed or is being replaced. */
  readonly from: Slot | null;
  /** Null for an initial assignment, which is not a switchover. */
  readonly reason: SwitchoverReason | null;
  readonly detectedAt: number | null;
  readonly unsynchronized: boolean;
  /** Role assignments sent and not yet answered. */
  readonly pending: Readonly<Record<Slot, Role | null>>;
  readonly preferred: Slot;
  /** Both members reported service-unavailable while this primary served. */
  readonly bothUnavailable: boolean;
  /** The failure that left the pair without a primary. */
  readonly failure: { readonly reason: SwitchoverReason; readonly at: number } | null;
  readonly switchoverTimes: readonly number[];
  readonly lastSwitchover: { readonly at: number; readonly reason: SwitchoverReason; readonly ms: number | null } | null;
  /** Why the switchover waits; `retry` when the candidate could not be asked (it is asked again). */
  readonly blocked: { readonly guard: string; readonly message: string; readonly retry?: boolean } | null;
  /** Members being killed for not following a role: not candidates until they restart. */
  readonly fenced: Readonly<Record<Slot, boolean>>;
  /** The journal knew a primary: this machine resumes a pair that was running (SCS takeover or restart). */
  readonly resumed: boolean;
}

export type PairEvent =
  | { readonly type: 'member'; readonly slot: Slot; readonly member: Member; readonly at: number }
  | { readonly type: 'role-acked'; readonly slot: Slot; readonly role: Role; readonly at: number }
  | { readonly type: 'role-failed'; readonly slot: Slot; readonly role: Role; readonly message: string; readonly at: number }
  | { readonly type: 'facts'; readonly slot: Slot; readonly facts: Facts; readonly at: number }
  | { readonly type: 'facts-failed'; readonly slot: Slot; readonly message: string; readonly at: number }
  | { readonly type: 'switchover'; readonly to: Slot; readonly at: number }
  /** Raised by the machine itself: assign again the roles whose assignment failed. */
  | { readonly type: 'retry-roles' };

export type PairEffect =
  | { readonly type: 'assign-role'; readonly slot: Slot; readonly app: string; readonly role: Role }
  | { readonly type: 'query-facts'; readonly slot: Slot; readonly app: string }
  | { readonly type: 'fence'; readonly slot: Slot; readonly app: string; readonly why: string }
  | { readonly type: 'journal'; readonly event: ScsEventBody }
  | { readonly type: 'flapping'; readonly app: string };

type Ctx = { context: PairContext; event: PairEvent };

/** Can take the primary role now: started, reachable, and not being fenced. */
const eligible = (context: PairContext, slot: Slot): boolean => isHealthy(context.members[slot]) && !context.fenced[slot];
const at = (event: PairEvent | { type: string }): number | null => ('at' in event && typeof event.at === 'number' ? event.at : null);
/**
 * The SCS knows that the other member of `slot` does not act as primary: its host is reachable,
 * it has been reported, it is not running with role primary, and it is not being fenced (a
 * fenced member may have taken a role it was asked for without the answer arriving). A Config
 * Server is promoted without asking its facts only then (an unreachable or fenced one may still
 * be serving as primary).
 */
const rivalRuledOut = (context: PairContext, slot: Slot): boolean => {
  const rival = context.members[other(slot)];
  return rival.hostUp && rival.status !== 'unknown' && !context.fenced[other(slot)] && !(isRunning(rival) && rival.role === 'primary');
};
/** Statuses that show the process of a member ended, or a new one is starting. */
const RESTARTED: ReadonlySet<Member['status']> = new Set<Member['status']>(['stopped', 'start-pending', 'initializing']);
/** A Config Server primary that does not hold the role yet may be given it without asking its facts. */
const mayAssertPrimary = (context: PairContext, slot: Slot): boolean =>
  context.settings.kind !== 'config-server' || context.members[slot].role === 'primary' || rivalRuledOut(context, slot);

// ---- guards (pure) -------------------------------------------------------------------------

const guards = {
  someoneActsAsPrimary: ({ context }: Ctx) => (['a', 'b'] as const).some((s) => isRunning(context.members[s]) && context.members[s].role === 'primary'),
  preferredReady: ({ context }: Ctx) =>
    eligible(context, context.preferred) && (context.settings.kind !== 'config-server' || rivalRuledOut(context, context.preferred)),
  /** Taking over from another SCS: the member the journal says was primary is known to be dead. */
  lastPrimaryKnownGone: ({ context }: Ctx) => {
    if (!context.resumed) return false;
    const last = context.members[context.preferred];
    return last.hostUp && last.status !== 'unknown' && failureReason(last) !== null && !isUnavailable(last) && eligible(context, other(context.preferred));
  },
  someoneHealthy: ({ context }: Ctx) => eligible(context, 'a') || eligible(context, 'b'),
  primaryFailedWithBackup: ({ context }: Ctx) =>
    context.primary !== null && !context.fenced[other(context.primary)] &&
    backupCanTakeOver(context.members[context.primary], context.members[other(context.primary)]),
  primaryGoneWithoutBackup: ({ context }: Ctx) =>
    context.primary !== null && pairHasNoPrimary(context.members[context.primary], context.members[other(context.primary)]),
  manualAllowed: ({ context, event }: Ctx) =>
    event.type === 'switchover' && manualSwitchoverAllowed(context.members[event.to], context.primary, event.to, false).allowed,
  /**
   * The candidate can no longer be promoted. One that still runs while its promotion is on its
   * way is waited for (it acknowledges, or is fenced when it fails to): abandoned there, it could
   * take the role later, beside whoever is promoted instead.
   */
  candidateLost: ({ context }: Ctx) => {
    const slot = context.candidate;
    if (slot === null || isHealthy(context.members[slot])) return false;
    return !(isRunning(context.members[slot]) && context.pending[slot] === 'primary');
  },
  /** The member being replaced is healthy again (also after the pair had gone without a primary). */
  oldPrimaryRecovered: ({ context }: Ctx) => context.from !== null && context.reason !== 'manual' && isHealthy(context.members[context.from]),
  /**
   * An operator's switchover that a guard blocked is refused: the pair stays as it was. Only
   * while the old primary still serves: a primary that an operator is stopping is going away,
   * so its pair waits, blocked, for the guard to pass (going back to it would switch again at
   * once, in a loop of fact queries).
   */
  manualBlocked: ({ context }: Ctx) =>
    context.reason === 'manual' && context.from !== null && isHealthy(context.members[context.from]),
  needsConfigServerCheck: ({ context }: Ctx) =>
    context.settings.kind === 'config-server' && (context.reason !== null || context.candidate === null || !rivalRuledOut(context, context.candidate)),
  /** An initial assignment held by the Config Server guard: the other member turned up acting as primary. */
  rivalServes: ({ context }: Ctx) => {
    if (context.reason !== null || context.candidate === null) return false;
    const rival = context.members[other(context.candidate)];
    return isRunning(rival) && rival.role === 'primary';
  },
  /** An initial assignment held by the Config Server guard: the other member turned up, not primary. */
  rivalNowRuledOut: ({ context }: Ctx) => context.reason === null && context.candidate !== null && rivalRuledOut(context, context.candidate),
  blockedUnasked: ({ context }: Ctx) => context.blocked?.retry === true,
  syncBlocks: ({ context }: Ctx) =>
    context.reason !== null && context.candidate !== null &&
    !syncGuard(context.settings, context.members[context.candidate].name, context.members[context.candidate].facts).pass,
  configServerGuardPasses: ({ context, event }: Ctx) =>
    event.type === 'facts' && configServerGuard(context.members[event.slot].name, event.facts).pass,
  candidateFactsChanged: ({ context, event }: Ctx) =>
    event.type === 'member' && event.slot === context.candidate && JSON.stringify(event.member.facts) !== JSON.stringify(context.members[event.slot].facts),
  nothingToDemote: ({ context }: Ctx) => {
    const from = context.from;
    if (from === null || from === context.candidate || !isRunning(context.members[from])) return true;
    return context.members[from].role !== 'primary' && context.pending[from] === null;
  },
  /** The old primary acknowledged its demotion (a late acknowledgement of primary is not one). */
  isOldPrimaryAck: ({ context, event }: Ctx) => event.type === 'role-acked' && event.slot === context.from && event.role !== 'primary',
  isOldPrimary: ({ context, event }: Ctx) => event.type === 'role-failed' && event.slot === context.from && event.role !== 'primary',
  isCandidatePrimaryAck: ({ context, event }: Ctx) => event.type === 'role-acked' && event.slot === context.candidate && event.role === 'primary',
  isCandidate: ({ context, event }: Ctx) => 'slot' in event && event.slot === context.candidate,
  primaryStillServes: ({ context }: Ctx) => context.primary !== null && isRunning(context.members[context.primary]),
  /**
   * A Config Server primary (restarted, or back from a failed switchover) that does not hold the
   * role, while the other one may serve: it gets the role only through the guard (its facts).
   */
  primaryNeedsConfigServerCheck: ({ context }: Ctx) => {
    const slot = context.primary;
    if (slot === null || !isHealthy(context.members[slot]) || context.pending[slot] === 'primary') return false;
    return !mayAssertPrimary(context, slot);
  },
};

// ---- the machine ---------------------------------------------------------------------------

/** How the old primary's answer to its demotion is taken, before and after its timeout. */
const DEMOTION_REPLIES = {
  'role-acked': [{ guard: 'isOldPrimaryAck', target: 'promoting', actions: 'recordAck' }, { actions: 'recordAck' }],
  'role-failed': [{ guard: 'isOldPrimary', target: 'promoting', actions: ['clearPending', 'fenceOldPrimary'] }, { actions: 'clearPending' }],
} as const;

/** How the candidate's answer to its promotion is taken, before and after its timeout. */
const PROMOTION_REPLIES = {
  'role-acked': [
    { guard: 'isCandidatePrimaryAck', target: '#pair.active', actions: ['recordAck', 'completeSwitchover'] },
    { actions: 'recordAck' },
  ],
  'role-failed': [
    { guard: 'isCandidate', target: '#pair.evaluating', actions: ['fenceCandidate', 'failSwitchover'] },
    { actions: 'clearPending' },
  ],
} as const;

export const pairMachine = setup({
  types: {
    context: {} as PairContext,
    events: {} as PairEvent,
    input: {} as PairInput,
    emitted: {} as PairEffect,
  },
  guards,
  delays: {
    startWindow: ({ context }) => context.settings.startWindowMs,
    roleAckTimeout: ({ context }) => context.settings.switchoverTimeoutMs,
    /** One turn of the event loop: lets replies already received be read before a timeout counts. */
    pendingIo: 0,
    roleRetry: ({ context }) => context.settings.switchoverTimeoutMs,
  },
  actions: {
    updateMember: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'member') return;
      // A fenced member is a candidate again once it has gone through a restart: seen stopped,
      // or starting again. Not when merely out of sight (its host lost): it may still run.
      const restarted = event.member.hostUp && RESTARTED.has(event.member.status);
      const fenced = context.fenced[event.slot] && restarted ? { ...context.fenced, [event.slot]: false } : context.fenced;
      enqueue.assign({ members: { ...context.members, [event.slot]: event.member }, fenced });
      // A fenced member still seen running was not reached (its LCA was down): fence it again.
      if (fenced[event.slot] && isRunning(event.member)) {
        enqueue.emit({ type: 'fence', slot: event.slot, app: event.member.name, why: 'it is still running after it was fenced' });
      }
    }),
    recordAck: assign(({ context, event }) => {
      if (event.type !== 'role-acked') return {};
      return {
        pending: { ...context.pending, [event.slot]: null },
        members: { ...context.members, [event.slot]: { ...context.members[event.slot], role: event.role } },
      };
    }),
    clearPending: assign(({ context, event }) => (event.type === 'role-failed' ? { pending: { ...context.pending, [event.slot]: null } } : {})),
    /**
     * A role the member did not take (it was not registered with its LCA yet, it answered too
     * late, its LCA blinked) is assigned again a little later: without this, a member that came
     * back acting as primary stays primary beside the real one until something else changes.
     */
    retryRolesLater: enqueueActions(({ enqueue }) => {
      enqueue.cancel('retry-roles');
      enqueue.raise({ type: 'retry-roles' }, { id: 'retry-roles', delay: 'roleRetry' });
    }),
    // Assigns only on a change: every assign copies the whole snapshot, and a host loss sends
    // a thousand machines this event at once.
    trackBothUnavailable: enqueueActions(({ context, enqueue }) => {
      if (context.primary === null) return;
      const p = context.members[context.primary];
      const b = context.members[other(context.primary)];
      const both = isHealthy(p) ? false : isUnavailable(p) && isUnavailable(b) ? true : context.bothUnavailable;
      if (both !== context.bothUnavailable) enqueue.assign({ bothUnavailable: both });
    }),
    /**
     * The acting primary holds role primary; the other running member holds backup. A member
     * with an assignment still unanswered is left alone until the answer (one assignment at a
     * time: acknowledgements cannot tell which of two requests they answer).
     */
    ensureRoles: enqueueActions(({ context, enqueue }) => {
      if (context.primary === null) return;
      const pending = { ...context.pending };
      const want = (slot: Slot, role: Role) => {
        const m = context.members[slot];
        if (!isRunning(m) || pending[slot] !== null || m.role === role) return;
        pending[slot] = role;
        enqueue.emit({ type: 'assign-role', slot, app: m.name, role });
      };
      // Demotion first: while the other member still acts as primary (or may be about to), the
      // primary role waits for its acknowledged demotion, as in a switchover.
      const rival = context.members[other(context.primary)];
      want(other(context.primary), 'backup');
      const rivalMayServe = isRunning(rival) && (rival.role === 'primary' || context.pending[other(context.primary)] === 'primary');
      if (!rivalMayServe && mayAssertPrimary(context, context.primary)) want(context.primary, 'primary');
      if (pending.a !== context.pending.a || pending.b !== context.pending.b) enqueue.assign({ pending });
    }),
    adoptPrimary: assign(({ context }) => {
      const acting = (['a', 'b'] as const).filter((s) => isRunning(context.members[s]) && context.members[s].role === 'primary');
      const primary = acting.length === 1 ? (acting[0] as Slot) : acting.includes(context.preferred) ? context.preferred : 'a';
      return { primary, candidate: null, from: null, reason: null, failure: null };
    }),
    chooseSurvivor: assign(({ context, event }) => {
      const reason = failureReason(context.members[context.preferred]) ?? 'process-failure';
      const detectedAt = at(event) ?? 0;
      return { candidate: other(context.preferred), from: context.preferred, primary: context.preferred, reason, detectedAt, failure: { reason, at: detectedAt } };
    }),
    choosePreferred: assign(({ context, event }) => ({ candidate: context.preferred, from: null, reason: null, detectedAt: at(event) })),
    /** The primary is to be given its role again, through the Config Server guard. */
    recheckPrimary: assign(({ context, event }) => ({ candidate: context.primary, from: null, reason: null, detectedAt: at(event) })),
    chooseFirstHealthy: assign(({ context, event }) => {
      const order: Slot[] = eligible(context, context.preferred) ? [context.preferred] : [other(context.preferred)];
      const candidate = order[0] as Slot;
      const failed = context.failure;
      const from = context.from ?? context.primary;
      const isSwitch = failed !== null && from !== null && candidate !== from;
      return {
        candidate,
        from: isSwitch ? from : null,
        reason: isSwitch ? failed.reason : null,
        detectedAt: isSwitch ? failed.at : at(event),
      };
    }),
    chooseBackupAfterFailure: assign(({ context, event }) => {
      const primary = context.primary as Slot;
      let reason = failureReason(context.members[primary]) ?? 'process-failure';
      if (reason === 'service-unavailable' && context.bothUnavailable) reason = 'backup-recovered';
      const detectedAt = at(event) ?? 0;
      return { candidate: other(primary), from: primary, reason, detectedAt, failure: { reason, at: detectedAt } };
    }),
    chooseManual: assign(({ context, event }) => (event.type === 'switchover' ? { candidate: event.to, from: context.primary, reason: 'manual', detectedAt: event.at } : {})),
    noteNoPrimary: assign(({ context, event }) => ({
      from: context.primary,
      primary: null,
      failure: { reason: failureReason(context.members[context.primary as Slot]) ?? 'process-failure', at: at(event) ?? 0 },
    })),
    cancelSwitchover: assign({ candidate: null, from: null, reason: null, blocked: null }),
    /** The switchover is off: the member it was replacing is the primary again. */
    restoreOldPrimary: assign(({ context }) => ({ primary: context.from ?? context.primary })),
    queryCandidateFacts: enqueueActions(({ context, enqueue }) => {
      const slot = context.candidate as Slot;
      enqueue.emit({ type: 'query-facts', slot, app: context.members[slot].name });
    }),
    block: enqueueActions(({ context, event, enqueue }) => {
      const candidate = context.members[context.candidate as Slot];
      const verdict = event.type === 'facts'
        ? configServerGuard(candidate.name, event.facts)
        : event.type === 'facts-failed'
          ? { pass: false as const, guard: 'config-server', message: `cannot get fresh facts from ${candidate.name}: ${event.message}` }
          : syncGuard(context.settings, candidate.name, candidate.facts);
      if (verdict.pass) return;
      const again = context.blocked?.guard === verdict.guard && context.blocked.message === verdict.message;
      enqueue.assign({ blocked: { guard: verdict.guard, message: verdict.message, retry: event.type === 'facts-failed' } });
      if (again) return; // asked again, same answer: journaled once
      enqueue.emit({ type: 'journal', event: { type: 'switchover-blocked', pair: context.settings.name, candidate: candidate.name, guard: verdict.guard, message: verdict.message } });
    }),
    recordFacts: assign(({ context, event }) => {
      if (event.type !== 'facts') return {};
      const m = context.members[event.slot];
      return { members: { ...context.members, [event.slot]: { ...m, facts: { ...m.facts, ...event.facts } } } };
    }),
    journalStarted: enqueueActions(({ context, enqueue }) => {
      const candidate = context.members[context.candidate as Slot];
      const unsynchronized = context.reason !== null && isUnsynchronized(context.settings, candidate.facts);
      enqueue.assign({ unsynchronized, blocked: null });
      if (context.reason === null) return;
      enqueue.emit({
        type: 'journal',
        event: {
          type: 'switchover-started',
          pair: context.settings.name,
          from: context.from === null ? null : context.members[context.from].name,
          to: candidate.name,
          reason: context.reason,
          ...(unsynchronized ? { unsynchronized: true } : {}),
        },
      });
    }),
    demoteOldPrimary: enqueueActions(({ context, enqueue }) => {
      const from = context.from;
      if (from === null || from === context.candidate) return;
      const m = context.members[from];
      // Also one still on its way to primary (asked just before it failed): it could take it later.
      if (!isRunning(m) || (m.role !== 'primary' && context.pending[from] !== 'primary')) return;
      enqueue.assign({ pending: { ...context.pending, [from]: 'backup' } });
      enqueue.emit({ type: 'assign-role', slot: from, app: m.name, role: 'backup' });
    }),
    fenceOldPrimary: enqueueActions(({ context, enqueue }) => {
      const from = context.from;
      if (from === null || !isRunning(context.members[from])) return;
      enqueue.assign({ pending: { ...context.pending, [from]: null }, fenced: { ...context.fenced, [from]: true } });
      enqueue.emit({ type: 'fence', slot: from, app: context.members[from].name, why: 'it did not acknowledge its demotion to backup' });
    }),
    promoteCandidate: enqueueActions(({ context, enqueue }) => {
      const slot = context.candidate as Slot;
      enqueue.assign({ pending: { ...context.pending, [slot]: 'primary' } });
      enqueue.emit({ type: 'assign-role', slot, app: context.members[slot].name, role: 'primary' });
    }),
    completeSwitchover: enqueueActions(({ context, event, enqueue }) => {
      const slot = context.candidate as Slot;
      const now = at(event) ?? 0;
      const ms = context.detectedAt === null ? null : Math.max(0, Math.round(now - context.detectedAt));
      const { settings, reason } = context;
      const done = {
        primary: slot, candidate: null, failure: null, blocked: null, bothUnavailable: false, from: null,
        pending: { ...context.pending, [slot]: null },
      };
      if (reason === null) {
        enqueue.assign(done);
        return;
      }
      const times = [...context.switchoverTimes, now].filter((t) => now - t <= settings.flapping.windowMs);
      enqueue.assign({ ...done, switchoverTimes: times, lastSwitchover: { at: now, reason, ms }, reason: null });
      enqueue.emit({
        type: 'journal',
        event: {
          type: 'switchover-completed', pair: settings.name, primary: context.members[slot].name, reason, ms: ms ?? 0,
          ...(context.unsynchronized ? { unsynchronized: true } : {}),
        },
      });
      const count = switchoversInWindow(times, now, settings.flapping.windowMs);
      if (count > settings.flapping.maxSwitchovers && context.from !== null) {
        enqueue.emit({ type: 'journal', event: { type: 'flapping', pair: settings.name, switchovers: count, windowS: settings.flapping.windowMs / 1000 } });
        enqueue.emit({ type: 'flapping', app: context.members[context.from].name });
      }
    }),
    failSwitchover: enqueueActions(({ context, event, enqueue }) => {
      const slot = context.candidate;
      if (slot === null) return;
      const m = context.members[slot];
      const message = event.type === 'role-failed'
        ? `${m.name} did not acknowledge role primary: ${event.message}`
        : event.type === 'member' || !('slot' in event)
          ? isHealthy(m) ? `${m.name} did not acknowledge role primary in ${context.settings.switchoverTimeoutMs} ms` : `${m.name} failed during promotion (status ${m.status}${m.hostUp ? '' : ', host down'})`
          : `${m.name} failed during promotion`;
      if (context.reason !== null) {
        enqueue.emit({ type: 'journal', event: { type: 'switchover-failed', pair: context.settings.name, reason: context.reason, message } });
      }
      enqueue.assign({ candidate: null, pending: { ...context.pending, [slot]: null }, blocked: null });
    }),
    /** A candidate that does not acknowledge is treated as failed: killed, so it restarts as backup. */
    fenceCandidate: enqueueActions(({ context, enqueue }) => {
      const slot = context.candidate;
      if (slot === null) return;
      const m = context.members[slot];
      if (!isRunning(m)) return;
      enqueue.assign({ fenced: { ...context.fenced, [slot]: true } });
      enqueue.emit({ type: 'fence', slot, app: m.name, why: 'it did not acknowledge role primary' });
    }),
    dropDeadPrimary: assign(({ context }) => (context.primary !== null && !isRunning(context.members[context.primary]) ? { primary: null } : {})),
  },
}).createMachine({
  id: 'pair',
  context: ({ input }) => ({
    settings: input.settings,
    members: input.members,
    primary: null,
    candidate: null,
    from: null,
    reason: null,
    detectedAt: null,
    unsynchronized: false,
    pending: { a: null, b: null },
    preferred: input.lastPrimary ?? 'a',
    bothUnavailable: false,
    failure: null,
    switchoverTimes: [],
    lastSwitchover: null,
    blocked: null,
    fenced: { a: false, b: false },
    resumed: input.lastPrimary !== null,
  }),
  initial: 'starting',
  on: {
    member: { actions: 'updateMember' },
    'role-acked': { actions: 'recordAck' },
    'role-failed': { actions: 'clearPending' },
  },
  states: {
    starting: {
      always: [
        { guard: 'someoneActsAsPrimary', target: 'active', actions: 'adoptPrimary' },
        { guard: 'lastPrimaryKnownGone', target: 'switching', actions: 'chooseSurvivor' },
        { guard: 'preferredReady', target: 'switching', actions: 'choosePreferred' },
      ],
      after: { startWindow: 'noPrimary' },
    },
    noPrimary: {
      always: [
        { guard: 'someoneActsAsPrimary', target: 'active', actions: 'adoptPrimary' },
        { guard: 'someoneHealthy', target: 'switching', actions: 'chooseFirstHealthy' },
      ],
    },
    active: {
      entry: 'ensureRoles',
      always: [
        { guard: 'primaryFailedWithBackup', target: 'switching', actions: 'chooseBackupAfterFailure' },
        { guard: 'primaryGoneWithoutBackup', target: 'noPrimary', actions: 'noteNoPrimary' },
        { guard: 'primaryNeedsConfigServerCheck', target: 'switching', actions: 'recheckPrimary' },
      ],
      on: {
        member: { actions: ['updateMember', 'trackBothUnavailable', 'ensureRoles'] },
        'role-acked': { actions: ['recordAck', 'ensureRoles'] },
        'role-failed': { actions: ['clearPending', 'retryRolesLater'] },
        'retry-roles': { actions: 'ensureRoles' },
        switchover: { guard: 'manualAllowed', target: 'switching', actions: 'chooseManual' },
      },
    },
    switching: {
      initial: 'guarding',
      always: [{ guard: 'candidateLost', target: 'evaluating', actions: 'failSwitchover' }],
      states: {
        guarding: {
          always: [
            { guard: 'syncBlocks', target: 'blocked', actions: 'block' },
            { guard: 'needsConfigServerCheck', target: 'querying' },
            // Nothing to demote (the old primary died): straight on, without arming demoting's timer.
            { guard: 'nothingToDemote', target: 'promoting', actions: 'journalStarted' },
            { target: 'demoting' },
          ],
        },
        querying: {
          entry: 'queryCandidateFacts',
          always: [{ guard: 'oldPrimaryRecovered', target: '#pair.active', actions: ['restoreOldPrimary', 'cancelSwitchover'] }],
          on: {
            facts: [
              { guard: 'configServerGuardPasses', target: 'demoting', actions: 'recordFacts' },
              { target: 'blocked', actions: ['recordFacts', 'block'] },
            ],
            'facts-failed': { target: 'blocked', actions: 'block' },
          },
        },
        blocked: {
          always: [
            { guard: 'manualBlocked', target: '#pair.active', actions: ['restoreOldPrimary', 'cancelSwitchover'] },
            { guard: 'oldPrimaryRecovered', target: '#pair.active', actions: ['restoreOldPrimary', 'cancelSwitchover'] },
            { guard: 'rivalServes', target: '#pair.active', actions: ['cancelSwitchover', 'adoptPrimary'] },
            { guard: 'rivalNowRuledOut', target: 'guarding' },
          ],
          on: {
            member: [
              { guard: 'candidateFactsChanged', target: 'guarding', actions: 'updateMember' },
              { actions: 'updateMember' },
            ],
          },
          // A candidate that could not be asked (its LCA was down, it did not answer) is asked again.
          after: { roleRetry: { guard: 'blockedUnasked', target: 'guarding' } },
        },
        demoting: {
          entry: ['journalStarted', 'demoteOldPrimary'],
          always: [{ guard: 'nothingToDemote', target: 'promoting' }],
          on: DEMOTION_REPLIES,
          after: { roleAckTimeout: 'demotingOverdue' },
        },
        // The acknowledgement timer may have run late (this process stalled): the reply may be
        // waiting unread in a socket. One more turn of the event loop before giving up on it.
        demotingOverdue: {
          always: [{ guard: 'nothingToDemote', target: 'promoting' }],
          on: DEMOTION_REPLIES,
          after: { pendingIo: { target: 'promoting', actions: 'fenceOldPrimary' } },
        },
        promoting: {
          entry: 'promoteCandidate',
          on: PROMOTION_REPLIES,
          after: { roleAckTimeout: 'promotingOverdue' },
        },
        promotingOverdue: {
          on: PROMOTION_REPLIES,
          after: { pendingIo: { target: '#pair.evaluating', actions: ['fenceCandidate', 'failSwitchover'] } },
        },
      },
    },
    evaluating: {
      always: [
        { guard: 'primaryStillServes', target: 'active' },
        { guard: 'someoneHealthy', target: 'switching', actions: 'chooseFirstHealthy' },
        { target: 'noPrimary', actions: 'dropDeadPrimary' },
      ],
    },
  },
});

export type PairSnapshot = SnapshotFrom<typeof pairMachine>;

/** The name operators see for a machine state (e.g. `switching.promoting` -> `promoting`). */
export function pairStateName(snapshot: PairSnapshot): string {
  const value = snapshot.value;
  if (typeof value === 'string') return value === 'noPrimary' ? 'no-primary' : value;
  const [, inner] = Object.entries(value)[0] ?? [];
  if (typeof inner !== 'string') return 'switching';
  return inner.replace(/Overdue$/, '');
}

/** The role the SCS wants each member to hold now. */
export function desiredRole(context: PairContext, slot: Slot): Role {
  if (context.candidate === slot) return 'primary';
  if (context.candidate !== null) return isRunning(context.members[slot]) ? 'backup' : 'none';
  if (context.primary === slot) return 'primary';
  return isRunning(context.members[slot]) && context.primary !== null ? 'backup' : 'none';
}
