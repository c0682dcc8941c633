// The machine-readable result of one suite run: bench/results/<suite>.json, with the environment
// the numbers were measured in.

import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Limit, type Measurement, type Target, type Verdict, judge, ratioToLimit } from './measurement.js';
import type { Distribution } from './stats.js';

export interface RunEnvironment {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly timestamp: string;
}

export interface MeasurementRecord {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target: Target | null;
  readonly limit: Limit | null;
  readonly ratio: number | null;
  readonly verdict: Verdict | null;
  /** Nearest-rank percentiles of the samples behind `value`, in `unit`. */
  readonly percentiles: Distribution | null;
  readonly note: string | null;
}

export interface SuiteResult {
  readonly suite: string;
  readonly description: string;
  readonly environment: RunEnvironment;
  readonly durationMs: number;
  readonly measurements: readonly MeasurementRecord[];
  /** Set when the suite could not run to the end; the measurements are then empty. */
  readonly error: string | null;
}

export function runEnvironment(): RunEnvironment {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: os.availableParallelism(),
    timestamp: new Date().toISOString(),
  };
}

export function measurementRecord(m: Measurement): MeasurementRecord {
  return {
    name: m.name,
    value: m.value,
    unit: m.unit,
    target: m.target ?? null,
    limit: m.limit ?? null,
    ratio: ratioToLimit(m) ?? null,
    verdict: judge(m) ?? null,
    percentiles: m.distribution ?? null,
    note: m.note ?? null,
  };
}

/** Writes `<dir>/<suite>.json` and returns its path. */
export async function writeSuiteResult(dir: string, result: SuiteResult): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${result.suite}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
