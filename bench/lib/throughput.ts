// CPU-bound throughput on one core: a warm-up so the JIT has settled, then timed batches whose
// rates show how stable a number is. Several workloads measured together take turns batch by
// batch, so that a change of machine load during the run affects all of them alike.

import { type Distribution, summarize } from './stats.js';

export interface ThroughputOptions {
  /** Untimed running time of each workload before the first batch, in ms. */
  readonly warmupMs: number;
  readonly batches: number;
  /** Minimum running time of each batch, in ms. */
  readonly batchMs: number;
}

export interface Throughput {
  /** Median of the batches' rates, in units per second. */
  readonly perSecond: number;
  /** The batches' rates, in units per second. */
  readonly batches: Distribution;
}

/**
 * A workload's pass does some work and returns how many units (frames, bytes) it completed,
 * which also keeps the optimizer from discarding the work.
 */
export type Pass = () => number;

/** Runs `pass` for at least `ms`; returns units per second. */
function runFor(pass: Pass, ms: number): number {
  let units = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    units += pass();
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (units * 1000) / elapsed;
}

export function measureThroughput<K extends string>(passes: Readonly<Record<K, Pass>>, options: ThroughputOptions): Record<K, Throughput> {
  const names = Object.keys(passes) as K[];
  for (const name of names) runFor(passes[name], options.warmupMs);
  const rates = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let batch = 0; batch < options.batches; batch += 1) {
    for (const name of names) rates.get(name)?.push(runFor(passes[name], options.batchMs));
  }
  const result = {} as Record<K, Throughput>;
  for (const name of names) {
    const batches = summarize(rates.get(name) ?? []);
    result[name] = { perSecond: batches.p50, batches };
  }
  return result;
}
