// Waiting on events, never on fixed sleeps: `waitFor` re-checks a condition whenever one of the
// given emitters fires (and on a slow safety tick), and fails with what it was waiting for.

import type { EventEmitter } from 'node:events';

export interface WaitOptions {
  readonly timeoutMs?: number;
  /** Re-check when any of these fire. */
  readonly events?: ReadonlyArray<readonly [EventEmitter | { on: EventEmitter['on']; off: EventEmitter['off'] }, string]>;
}

export function waitFor<T>(what: string, check: () => T | undefined | false | null, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 15_000, events = [] } = options;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (error: Error | undefined, value?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(tick);
      for (const [emitter, name] of events) emitter.off(name, probe);
      if (error) reject(error);
      else resolve(value as T);
    };
    const probe = () => {
      try {
        const value = check();
        if (value !== undefined && value !== false && value !== null) finish(undefined, value);
      } catch (error) {
        finish(error as Error);
      }
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    const tick = setInterval(probe, 25);
    for (const [emitter, name] of events) emitter.on(name, probe);
    probe();
  });
}

/** Polls an asynchronous check (e.g. an HTTP endpoint) until it yields a value. */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined | false>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
