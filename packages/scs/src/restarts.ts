// Restarting failed applications: the first start of an autostart application is immediate;
// every start after a failure waits an exponential backoff with full jitter (capped), journaled
// as `app-restart-scheduled`. The backoff resets once the application has stayed up for a while.
// Planned stops are never restarted; flapping applications wait for an operator.

import { Backoff, type Clock, type Logger, type TimerHandle } from '@mlayer/common';
import type { Application } from './application.js';
import type { ScsEventBody } from './events.js';

/** An application started for this long is considered stable: its backoff starts over. */
export const STABLE_AFTER_MS = 30_000;

export interface RestartHooks {
  readonly clock: Clock;
  readonly log: Logger;
  readonly random?: () => number;
  /** Whether the application's LCA is reachable (nothing can be started otherwise). */
  reachable(app: Application): boolean;
  /** Asks the LCA to start the application; rejects when the LCA could not start it. */
  launch(app: Application, attempt: number): Promise<void>;
  /** A restart is being issued (for the restart counter). */
  restarted?(app: Application): void;
  journal(event: ScsEventBody): void;
}

interface Slot {
  backoff: Backoff;
  timer: TimerHandle | undefined;
  stable: TimerHandle | undefined;
  /** A start was requested in this SCS's lifetime. */
  requested: boolean;
  /** A start was sent and the LCA has not yet reported the process: nothing else is decided meanwhile. */
  inFlight: boolean;
}

export class RestartScheduler {
  private readonly slots = new Map<string, Slot>();
  /** After `forget()` of everything (shutdown, demotion), nothing is scheduled until `resume()`. */
  private stopped = false;

  constructor(private readonly hooks: RestartHooks) {}

  /** Decides what to do for `app` now; call after every change of it or of its host. */
  consider(app: Application): void {
    if (this.stopped) return;
    const slot = this.slot(app);
    this.trackStability(app, slot);
    if (slot.inFlight) {
      if (!app.running) return;
      slot.inFlight = false;
    }
    if (app.running || slot.timer !== undefined || !this.hooks.reachable(app)) return;
    if (app.restartWhenStopped) {
      app.restartWhenStopped = false;
      app.planned = false;
      this.startNow(app);
      return;
    }
    if (app.planned) return;
    if (!slot.requested && !app.everRan) {
      if (app.config.autostart) this.startNow(app);
      return;
    }
    if (!app.config.autoRestart) return;
    if (app.restartSuspended) {
      this.hooks.log.warn('not restarting a flapping application: start it by hand when it is fixed', { app: app.name });
      return;
    }
    const inMs = slot.backoff.next();
    const attempt = slot.backoff.attempts;
    this.hooks.journal({ type: 'app-restart-scheduled', app: app.name, inMs, attempt });
    slot.timer = this.hooks.clock.setTimeout(() => {
      slot.timer = undefined;
      if (app.running || app.planned || app.restartSuspended || !this.hooks.reachable(app)) return;
      app.restarts += 1;
      this.hooks.restarted?.(app);
      this.issue(app, slot, attempt);
    }, inMs);
  }

  /** Starts at once (first start, or an operator's start): clears the backoff. */
  startNow(app: Application): void {
    if (this.stopped) return;
    const slot = this.slot(app);
    this.cancel(app);
    this.issue(app, slot, 0);
  }

  private issue(app: Application, slot: Slot, attempt: number): void {
    slot.requested = true;
    slot.inFlight = true;
    this.hooks.launch(app, attempt).catch(() => {
      // Not started (spawn failure, LCA gone): decide again, with backoff.
      slot.inFlight = false;
      if (this.slots.get(app.name) === slot) this.consider(app);
    });
  }

  resetBackoff(app: Application): void {
    this.slot(app).backoff.reset();
  }

  cancel(app: Application): void {
    const slot = this.slots.get(app.name);
    if (slot?.timer !== undefined) this.hooks.clock.clearTimeout(slot.timer);
    if (slot) slot.timer = undefined;
  }

  /** Decides again after a `forget()` of everything (a backup SCS promoted). */
  resume(): void {
    this.stopped = false;
  }

  /** Forget an application (config reload) or everything (shutdown, demotion): then nothing more is scheduled. */
  forget(app?: Application): void {
    if (app === undefined) this.stopped = true;
    const names = app ? [app.name] : [...this.slots.keys()];
    for (const name of names) {
      const slot = this.slots.get(name);
      if (!slot) continue;
      if (slot.timer !== undefined) this.hooks.clock.clearTimeout(slot.timer);
      if (slot.stable !== undefined) this.hooks.clock.clearTimeout(slot.stable);
      this.slots.delete(name);
    }
  }

  private slot(app: Application): Slot {
    let slot = this.slots.get(app.name);
    if (!slot) {
      const { initialMs, maxMs } = app.config.restart;
      slot = {
        backoff: new Backoff({ initialMs: Math.max(1, initialMs), maxMs: Math.max(1, initialMs, maxMs), ...(this.hooks.random ? { random: this.hooks.random } : {}) }),
        timer: undefined,
        stable: undefined,
        requested: false,
        inFlight: false,
      };
      this.slots.set(app.name, slot);
    }
    return slot;
  }

  private trackStability(app: Application, slot: Slot): void {
    if (app.status === 'started') {
      if (slot.stable === undefined) {
        slot.stable = this.hooks.clock.setTimeout(() => {
          slot.stable = undefined;
          slot.backoff.reset();
        }, STABLE_AFTER_MS);
      }
    } else if (slot.stable !== undefined) {
      this.hooks.clock.clearTimeout(slot.stable);
      slot.stable = undefined;
    }
  }
}
