// What is wrong with a configuration file: problems found at a path of keys and indexes, the
// error that carries them as `FILE:LINE: message` lines, and how values are shown in messages.

import { MlayerError } from '../errors.js';

export type ConfigPath = readonly (string | number)[];

/** One problem, before it is placed on a line: `path` leads to the offending key or item. */
export interface ConfigProblem {
  readonly path: ConfigPath;
  readonly message: string;
}

/**
 * A configuration file that cannot be used. `problems` holds every problem found, in line order,
 * each as `FILE:LINE: message` (only an unreadable file gives a single `FILE: message`); the
 * message is a one-line summary, so that a caller prints the problems and then the message.
 */
export class ConfigError extends MlayerError {
  readonly file: string;
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly string[], options: { cause?: unknown; summary?: string } = {}) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('ECONFIG', options.summary ?? `${file} is not a valid configuration (${count})`, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = file;
    this.problems = problems;
  }
}

/** `applications[1].backup`, `scs.addp.timeout`, `env["A=B"]`; the empty path is the whole file. */
export function formatPath(path: ConfigPath): string {
  let text = '';
  for (const step of path) {
    if (typeof step === 'number') text += `[${step}]`;
    else if (!/^[A-Za-z0-9_-]+$/.test(step)) text += `[${JSON.stringify(step)}]`;
    else text += text === '' ? step : `.${step}`;
  }
  return text;
}

/** A value as a message shows it: text quoted and shortened, collections by their kind. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** The value at `path` in the parsed YAML data, or undefined. */
export function valueAt(data: unknown, path: ConfigPath): unknown {
  let value = data;
  for (const step of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}
