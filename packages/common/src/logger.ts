// Logger factory: winston writing one JSON object per line to stderr (or a given stream).
// Components log through children that carry a `component` field, never through console.

import { Writable } from 'node:stream';
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

/**
 * Adds `defaults` to a line only where the line has no such field. Not winston's `defaultMeta`:
 * that is assigned over every line, so a child's `component` would be replaced by the root's.
 */
function defaultFields(defaults: Readonly<Record<string, unknown>>): winston.Logform.Format {
  return winston.format((info) => {
    for (const [key, value] of Object.entries(defaults)) if (!(key in info)) info[key] = value;
    return info;
  })();
}

const SEVERITY: Readonly<Record<string, number>> = winston.config.npm.levels;

function belowLevel(level: LogLevel): winston.Logform.Format {
  const limit = SEVERITY[level] ?? 2;
  return winston.format((info) => ((SEVERITY[info.level] ?? 0) <= limit ? info : false))();
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = 'info', component, stream = process.stderr, silent = false, fields = {} } = options;
  return winston.createLogger({
    level,
    levels: winston.config.npm.levels,
    silent,
    format: winston.format.combine(
      // Drop lines below the level before any formatting: debug calls on hot paths cost nothing.
      belowLevel(level),
      defaultFields(component === undefined ? fields : { component, ...fields }),
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

export interface MemoryLogger {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** A logger that keeps its JSON lines in memory (tests and tools that inspect what was logged). */
export function createMemoryLogger(level: LogLevel = 'debug'): MemoryLogger {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ level, stream }), lines };
}
