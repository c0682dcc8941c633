// Exponential backoff with full jitter and a cap (the AWS "full jitter" policy, as in grpc-js).

import { ValidationError } from './errors.js';

export interface BackoffOptions {
  /** Base delay of the first retry, in milliseconds. */
  readonly initialMs: number;
  /** No delay is ever longer than this, in milliseconds. */
  readonly maxMs: number;
  /** Growth per attempt (default 2). */
  readonly factor?: number;
  /** Uniform random source in [0, 1); injected for deterministic tests. */
  readonly random?: () => number;
}

/**
 * Delay before retry number `attempt` (0-based): uniform in [0, min(max, initial * factor^attempt)].
 * Full jitter spreads reconnect storms of many peers that lost the same server at once.
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions): number {
  const { initialMs, maxMs, factor = 2, random = Math.random } = options;
  const ceiling = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, attempt)));
  return Math.floor(random() * ceiling);
}

/** Stateful helper: `next()` gives the next delay, `reset()` after a success. */
export class Backoff {
  private attempt = 0;
  private readonly options: BackoffOptions;

  constructor(options: BackoffOptions) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
      throw new ValidationError(
        `backoff needs 0 < initialMs <= maxMs (got initialMs=${options.initialMs}, maxMs=${options.maxMs})`,
      );
    }
    if (options.factor !== undefined && !(options.factor >= 1)) {
      throw new ValidationError(`backoff factor must be >= 1 (got ${options.factor})`);
    }
    this.options = options;
  }

  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const delay = fullJitterDelay(this.attempt, this.options);
    this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
