// The injectable clock: monotonic time and timers. Defaults resolve the globals at call time,
// so sinon fake timers installed by a test apply without any wiring.

export type TimerHandle = ReturnType<typeof setTimeout>;

export interface Clock {
  /** Monotonic milliseconds (not wall time). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};
