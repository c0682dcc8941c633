// @mlayer/common: what every mlayer package shares.

export { MlayerError, ValidationError, errorMessage, errorCode } from './errors.js';
export { type Clock, type TimerHandle, systemClock } from './clock.js';
export { Backoff, fullJitterDelay, type BackoffOptions } from './backoff.js';
export { parseDuration, parseBoundedDuration, formatDuration, type DurationLimits } from './duration.js';
export {
  createLogger,
  componentLogger,
  parseLogLevel,
  silentLogger,
  createMemoryLogger,
  type MemoryLogger,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  type LoggerOptions,
} from './logger.js';
export * from './domain.js';
export * from './protocol/index.js';
export { describeIssues } from './validation.js';
export { parseHostPort, formatHostPort, isLoopback, DEFAULT_LCA_PORT, type HostPort } from './address.js';
