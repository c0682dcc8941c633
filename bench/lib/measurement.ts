// What a benchmark suite reports (measurements, targets, physical limits) and how a measurement
// is judged against its target. A suite module exports a `Suite`; bench/suites.ts lists them.

import { formatNumber, formatPercent } from './format.js';
import type { Distribution } from './stats.js';

export interface Target {
  /** What the target constrains: the measured value itself, or its ratio to the physical limit. */
  readonly of: 'value' | 'ratio';
  readonly op: '>=' | '<=';
  readonly threshold: number;
}

/** The same quantity measured without the code under test, in the same run (e.g. a bare socket). */
export interface Limit {
  readonly value: number;
  /** What was measured, for the report's footnotes. */
  readonly source: string;
  /** The samples behind the limit's value, in the measurement's unit. */
  readonly distribution?: Distribution;
}

export interface Measurement {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
  readonly limit?: Limit;
  /** The samples behind `value` (latencies, or the rates of repeated batches), in `unit`. */
  readonly distribution?: Distribution;
  /** One line of context: payload size, sample count, anything a reader needs to trust the value. */
  readonly note?: string;
}

export interface SuiteContext {
  /** Progress for the operator (stderr); results go in the returned measurements only. */
  progress(message: string): void;
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  run(context: SuiteContext): Promise<Measurement[]>;
}

export type Verdict =
  | { readonly status: 'met'; readonly text: string }
  | { readonly status: 'missed'; readonly by: number; readonly text: string }
  | { readonly status: 'unjudged'; readonly text: string };

/** value / limit, when a limit was measured. */
export function ratioToLimit(m: Measurement): number | undefined {
  return m.limit === undefined || m.limit.value === 0 ? undefined : m.value / m.limit.value;
}

export function describeTarget(target: Target, unit: string): string {
  const op = target.op === '>=' ? '≥' : '≤';
  return target.of === 'ratio' ? `ratio ${op} ${target.threshold}` : `${op} ${formatNumber(target.threshold)} ${unit}`;
}

/** Judges a measurement against its target; undefined when it has none (informational). */
export function judge(m: Measurement): Verdict | undefined {
  const { target } = m;
  if (target === undefined) return undefined;
  const actual = target.of === 'ratio' ? ratioToLimit(m) : m.value;
  const wanted = describeTarget(target, m.unit);
  if (actual === undefined || !Number.isFinite(actual)) {
    return { status: 'unjudged', text: `not judged: no ${target.of === 'ratio' ? 'physical limit' : 'value'} measured (target ${wanted})` };
  }
  const shown = target.of === 'ratio' ? `ratio ${formatNumber(actual)}` : `${formatNumber(actual)} ${m.unit}`;
  const met = target.op === '>=' ? actual >= target.threshold : actual <= target.threshold;
  if (met) return { status: 'met', text: `met (${shown}, target ${wanted})` };
  // How far off, relative to the target: 0.2 means 20 % short of a minimum or over a maximum.
  // A target of zero (e.g. no switchover at all) has no relative miss: `by` is then Infinity.
  const by = Math.abs(actual - target.threshold) / target.threshold;
  if (!Number.isFinite(by)) return { status: 'missed', by, text: `missed (${shown}, target ${wanted})` };
  return { status: 'missed', by, text: `missed by ${formatPercent(by)} (${shown}, target ${wanted})` };
}
