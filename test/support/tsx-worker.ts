// Worker threads that run TypeScript: a worker does not inherit tsx's loader from its parent, so
// its boot code registers tsx's ESM hooks before it imports the entry. Used by the chaos worker
// pool and by benchmarks that move a load off the thread they measure.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** tsx's ESM register API (its CommonJS build cannot register hooks from a worker). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const api = exports['./esm/api']?.import.default;
  if (api === undefined) throw new Error(`${manifest} has no ./esm/api export: TypeScript workers need tsx >= 4`);
  return pathToFileURL(join(dirname(manifest), api)).href;
}

/** Code for `new Worker(code, { eval: true })` that runs the TypeScript module at `entry` (a file URL). */
export function tsxWorkerBoot(entry: string): string {
  return `import(${JSON.stringify(tsxEsmApi())}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
}
