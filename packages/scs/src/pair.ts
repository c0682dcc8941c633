// The shell around one pair machine: it feeds the machine what the SCS observes of the two
// applications, and carries out what the machine emits — journal first (durably), then role
// changes through the LCAs, fact queries and fencing — feeding the outcomes back as events.

import { type Actor, createActor } from 'xstate';
import { type Clock, type Logger, type Role, errorMessage } from '@mlayer/common';
import type { Application } from './application.js';
import type { ScsEventBody } from './events.js';
import { type Facts, type Slot, isProtected, manualSwitchoverAllowed, other } from './guards.js';
import { type PairEffect, desiredRole, pairMachine, pairStateName } from './pair-machine.js';
import type { PairSpec } from './solution.js';
import type { CommandResult, PairView } from './views.js';

export interface PairHooks {
  readonly clock: Clock;
  readonly log: Logger;
  /** Journals an event; role changes emitted after it wait until it is durable. */
  journal(event: ScsEventBody): void;
  /** Runs `task` once every event journaled so far is durable. */
  afterJournal(task: () => void): void;
  setRole(app: Application, role: Role, timeoutMs: number): Promise<Role>;
  queryFacts(app: Application, timeoutMs: number): Promise<Facts>;
  fence(app: Application, why: string): void;
  flapping(app: Application): void;
  /** The machine moved (desired roles may have changed). */
  changed(): void;
}

const MANUAL_OUTCOME_TIMEOUT_MS = 15_000;

export class PairSupervisor {
  private readonly actor: Actor<typeof pairMachine>;
  private readonly slots: Readonly<Record<Slot, Application>>;
  /** The guard's message when a switchover of this pair was last blocked (for an operator's request). */
  private lastBlocked: string | undefined;
  /** Wall-clock time of the last switchover, fixed once (the machine keeps monotonic time). */
  private lastSwitchoverAt: { readonly mono: number; readonly wall: string } | undefined;

  constructor(readonly spec: PairSpec, a: Application, b: Application, lastPrimary: Slot | null, private readonly hooks: PairHooks) {
    this.slots = { a, b };
    this.actor = createActor(pairMachine, {
      input: { settings: spec, members: { a: a.member(), b: b.member() }, lastPrimary },
    });
    this.actor.on('*', (effect) => this.perform(effect as PairEffect));
    let last = '';
    this.actor.subscribe((snapshot) => {
      const state = pairStateName(snapshot);
      if (state !== last) {
        // Logged after the current turn's journal batch has started: a failover never waits on a log line.
        const entry = { pair: spec.name, from: last || 'none', to: state, primary: this.primaryName() };
        queueMicrotask(() => hooks.log.info('pair state', entry));
      }
      last = state;
      for (const slot of ['a', 'b'] as const) this.slots[slot].desiredRole = desiredRole(snapshot.context, slot);
      hooks.changed();
    });
  }

  get name(): string {
    return this.spec.name;
  }

  start(): void {
    this.actor.start();
  }

  stop(): void {
    this.actor.stop();
  }

  /** Tells the machine the latest view of one member. */
  memberChanged(app: Application): void {
    const slot = this.slotOf(app.name);
    if (slot === null || this.actor.getSnapshot().status !== 'active') return;
    this.actor.send({ type: 'member', slot, member: app.member(), at: this.hooks.clock.now() });
  }

  slotOf(name: string): Slot | null {
    if (this.slots.a.name === name) return 'a';
    if (this.slots.b.name === name) return 'b';
    return null;
  }

  primaryName(): string | null {
    const primary = this.actor.getSnapshot().context.primary;
    return primary === null ? null : this.slots[primary].name;
  }

  /** An operator asks for `name` to become primary. Resolves once the machine has decided. */
  requestSwitchover(name: string): Promise<CommandResult> {
    const slot = this.slotOf(name);
    if (slot === null) return Promise.resolve({ accepted: false, code: 'not-in-pair', message: `${name} is not in pair ${this.name}` });
    const snapshot = this.actor.getSnapshot();
    const state = pairStateName(snapshot);
    const verdict = manualSwitchoverAllowed(this.slots[slot].member(), snapshot.context.primary, slot, state !== 'active');
    if (!verdict.allowed) return Promise.resolve({ accepted: false, code: verdict.code, message: verdict.message });
    this.lastBlocked = undefined;
    return new Promise((resolve) => {
      let subscription: { unsubscribe(): void } | undefined;
      const timer = this.hooks.clock.setTimeout(() => finish({ accepted: true }), MANUAL_OUTCOME_TIMEOUT_MS);
      const finish = (result: CommandResult) => {
        this.hooks.clock.clearTimeout(timer);
        subscription?.unsubscribe();
        resolve(result);
      };
      const judge = () => {
        const now = this.actor.getSnapshot();
        const current = pairStateName(now);
        if (current === 'blocked' || this.lastBlocked !== undefined) {
          finish({ accepted: false, code: 'switchover-blocked', message: this.lastBlocked ?? now.context.blocked?.message ?? 'blocked by a guard' });
        } else if (current === 'demoting' || current === 'promoting' || (current === 'active' && now.context.primary === slot)) {
          finish({ accepted: true });
        } else if (current === 'active' || current === 'no-primary') {
          finish({ accepted: false, code: 'switchover-failed', message: `the switchover to ${name} did not go ahead (pair is ${current})` });
        }
      };
      subscription = this.actor.subscribe(judge);
      this.actor.send({ type: 'switchover', to: slot, at: this.hooks.clock.now() });
      judge();
    });
  }

  /** Which member acts as primary, and whether a backup is ready to take over (what the metrics show). */
  acting(): { readonly active: string | null; readonly protected: boolean } {
    const { primary } = this.actor.getSnapshot().context;
    if (primary === null) return { active: null, protected: false };
    return { active: this.slots[primary].name, protected: isProtected(this.spec, this.slots[other(primary)].member()) };
  }

  view(): PairView {
    const snapshot = this.actor.getSnapshot();
    const { context } = snapshot;
    const { active, protected: protectedPair } = this.acting();
    const last = context.lastSwitchover;
    return {
      name: this.name,
      primary: this.spec.primary,
      backup: this.spec.backup,
      redundancy: this.spec.redundancy,
      active,
      state: pairStateName(snapshot),
      protected: protectedPair,
      lastSwitchover: last === null ? null : { at: this.wallTime(last.at), reason: last.reason, ms: last.ms },
    };
  }

  private wallTime(mono: number): string {
    if (this.lastSwitchoverAt?.mono !== mono) {
      this.lastSwitchoverAt = { mono, wall: new Date(Date.now() - (this.hooks.clock.now() - mono)).toISOString() };
    }
    return this.lastSwitchoverAt.wall;
  }

  private perform(effect: PairEffect): void {
    const { hooks } = this;
    switch (effect.type) {
      case 'journal':
        if (effect.event.type === 'switchover-blocked') this.lastBlocked = effect.event.message;
        hooks.journal(effect.event);
        return;
      case 'assign-role': {
        const app = this.slots[effect.slot];
        hooks.afterJournal(() => {
          hooks.setRole(app, effect.role, this.spec.switchoverTimeoutMs).then(
            (role) => this.send({ type: 'role-acked', slot: effect.slot, role, at: hooks.clock.now() }),
            (error: unknown) => {
              hooks.log.warn('role change not acknowledged', { app: app.name, role: effect.role, error: errorMessage(error) });
              this.send({ type: 'role-failed', slot: effect.slot, role: effect.role, message: errorMessage(error), at: hooks.clock.now() });
            },
          );
        });
        return;
      }
      case 'query-facts': {
        const app = this.slots[effect.slot];
        hooks.queryFacts(app, this.spec.switchoverTimeoutMs).then(
          (facts) => this.send({ type: 'facts', slot: effect.slot, facts, at: hooks.clock.now() }),
          (error: unknown) => this.send({ type: 'facts-failed', slot: effect.slot, message: errorMessage(error), at: hooks.clock.now() }),
        );
        return;
      }
      case 'fence':
        hooks.afterJournal(() => hooks.fence(this.slots[effect.slot], effect.why));
        return;
      case 'flapping': {
        const app = this.slotOf(effect.app);
        if (app !== null) hooks.flapping(this.slots[app]);
        return;
      }
    }
  }

  private send(event: Parameters<Actor<typeof pairMachine>['send']>[0]): void {
    if (this.actor.getSnapshot().status === 'active') this.actor.send(event);
  }
}
