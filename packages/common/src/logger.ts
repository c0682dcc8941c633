// Logger factory: winston writing one JSON object per line to stderr (or a given stream).
// Components log through children that carry a `component` field, never through console.

import winston from 'winston';
import { ValidationError } from './errors.js';

export type Logger = winston.Logger;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** The `component` field of every line (e.g. `lca`, `scs`, `addp`). */
  readonly component?: string;
  /** Where lines go; default process.stderr. */
  readonly stream?: NodeJS.WritableStream;
  /** Drop everything (tests that do not look at logs). */
  readonly silent?: boolean;
  /** Extra fields on every line (e.g. `{ host: 'host-a' }`). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export function parseLogLevel(value: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ValidationError(`log level must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = 'info', component, stream = process.stderr, silent = false, fields = {} } = options;
  return winston.createLogger({
    level,
    levels: winston.config.npm.levels,
    silent,
    defaultMeta: component === undefined ? { ...fields } : { component, ...fields },
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: false }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** A child logger whose lines carry `component` (and any extra fields). */
export function componentLogger(parent: Logger, component: string, fields: Readonly<Record<string, unknown>> = {}): Logger {
  return parent.child({ component, ...fields });
}

/** A logger that drops everything: the default where a caller injects none. */
export const silentLogger: Logger = createLogger({ silent: true });
