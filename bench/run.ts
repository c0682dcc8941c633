// The benchmark runner: `npm run bench [suite...]` runs the named suites (default: all) one after
// another, prints a table and the verdicts of each, and writes bench/results/<suite>.json.
// A missed target still exits 0 (benchmarks measure, tests judge); 1 means a suite could not run.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { errorMessage } from '@mlayer/common';
import { installExitCleanup } from './lib/child-processes.js';
import type { Measurement, Suite } from './lib/measurement.js';
import { renderReport } from './lib/report.js';
import { type SuiteResult, measurementRecord, runEnvironment, writeSuiteResult } from './lib/results.js';
import { SUITES } from './suites.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const USAGE = `usage: node --import tsx bench/run.ts [suite...]\nsuites: ${Object.keys(SUITES).join(', ')}`;

function selectSuites(names: readonly string[]): string[] {
  const unknown = names.filter((name) => !(name in SUITES));
  if (unknown.length > 0) throw new Error(`unknown suite ${unknown.join(', ')}\n${USAGE}`);
  return names.length > 0 ? [...new Set(names)] : Object.keys(SUITES);
}

/** Handles (sockets, servers, timers) a suite left open: each is a leak in it or in the code it drives. */
function leftOpen(before: readonly string[], after: readonly string[]): string[] {
  const remaining = [...before];
  return after.filter((resource) => {
    const i = remaining.indexOf(resource);
    if (i === -1) return true;
    remaining.splice(i, 1);
    return false;
  });
}

async function runSuite(name: string, load: () => Promise<Suite>): Promise<boolean> {
  const progress = (message: string) => process.stderr.write(`[${name}] ${message}\n`);
  const started = performance.now();
  const environment = runEnvironment();
  const resourcesBefore = process.getActiveResourcesInfo();
  let suite: Suite | undefined;
  let measurements: Measurement[] = [];
  let failure: string | null = null;
  try {
    suite = await load();
    measurements = await suite.run({ progress });
  } catch (error) {
    failure = error instanceof Error && error.stack !== undefined ? error.stack : errorMessage(error);
  }
  // Closed handles are released in a later turn of the event loop (its close phase).
  await new Promise((resolve) => setTimeout(resolve, 20));
  const leaks = leftOpen(resourcesBefore, process.getActiveResourcesInfo());
  if (leaks.length > 0) progress(`warning: left open after the suite: ${leaks.join(', ')}`);

  const result: SuiteResult = {
    suite: name,
    description: suite?.description ?? '',
    environment,
    durationMs: Math.round(performance.now() - started),
    measurements: measurements.map(measurementRecord),
    error: failure,
  };
  const file = await writeSuiteResult(RESULTS_DIR, result);
  if (failure !== null) {
    process.stdout.write(`== ${name} ==\n${name}: FAILED: ${failure}\n\n`);
  } else {
    process.stdout.write(`${renderReport(name, measurements)}\n\n`);
  }
  progress(`done in ${(result.durationMs / 1000).toFixed(1)} s; results in ${path.relative(process.cwd(), file)}`);
  return failure === null;
}

async function main(): Promise<number> {
  let names: string[];
  try {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    names = selectSuites(positionals);
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    return 2;
  }
  installExitCleanup();
  const env = runEnvironment();
  process.stdout.write(`mlayer benchmarks: node ${env.node}, ${env.cpuModel} (${env.cpus} cores), ${env.timestamp}\n\n`);
  let allRan = true;
  for (const name of names) {
    const load = SUITES[name];
    if (load !== undefined) allRan = (await runSuite(name, load)) && allRan;
  }
  return allRan ? 0 : 1;
}

// Exit explicitly: a handle leaked by a suite (reported above) must not keep the runner alive.
process.exit(await main());
