// Durations as users write them (seconds, decimals allowed, or "500ms"/"2s"/"1m"/"1h") and their limits.

import { ValidationError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/;

/** amount * unit, rounded to whole microseconds so that 16.1 s is 16100 ms, not 16100.000000000002. */
function toMs(amount: number, unitMs: number): number {
  return Math.round(amount * unitMs * 1000) / 1000;
}

/**
 * Parses a duration to milliseconds. A bare number is seconds (the configuration's unit).
 * Throws ValidationError naming `what` when the value is not a non-negative finite duration.
 */
export function parseDuration(value: unknown, what = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new ValidationError(`${what} must be a non-negative number of seconds (got ${value})`);
    }
    return toMs(value, 1000);
  }
  if (typeof value === 'string') {
    const match = DURATION.exec(value);
    if (match) {
      const amount = Number(match[1]);
      const unit = match[2] ?? 's';
      return toMs(amount, UNIT_MS[unit] ?? 1000);
    }
  }
  throw new ValidationError(
    `${what} must be seconds (e.g. 2 or 0.5) or a number with ms/s/m/h (e.g. "500ms"); got ${JSON.stringify(value)}`,
  );
}

export interface DurationLimits {
  readonly minMs: number;
  readonly maxMs: number;
  /** Whether 0 is allowed as "disabled". */
  readonly zeroDisables?: boolean;
}

/** Parses and checks a duration against limits, returning milliseconds. */
export function parseBoundedDuration(value: unknown, what: string, limits: DurationLimits): number {
  const ms = parseDuration(value, what);
  if (ms === 0 && limits.zeroDisables) return 0;
  if (ms < limits.minMs || ms > limits.maxMs) {
    const range = `${limits.minMs / 1000} s and ${limits.maxMs / 1000} s`;
    const zero = limits.zeroDisables ? ', or 0 to disable' : '';
    throw new ValidationError(`${what} must be between ${range}${zero} (got ${ms / 1000} s)`);
  }
  return ms;
}

/** Formats milliseconds for humans: 850 ms, 2.5 s, 3 min. */
export function formatDuration(ms: number): string {
  // Choose the unit after rounding, so that 999.6 ms reads "1 s" rather than "1000 ms".
  const wholeMs = Math.round(ms);
  if (wholeMs < 1000) return `${wholeMs} ms`;
  const seconds = +(ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
  if (seconds < 120) return `${seconds} s`;
  return `${+(ms / 60_000).toFixed(1)} min`;
}
