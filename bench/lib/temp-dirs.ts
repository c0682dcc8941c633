// Temporary directories of benchmarks: removed when their scope ends and, as a last resort, when
// the runner exits (also when it is interrupted: the runner turns SIGINT/SIGTERM/SIGHUP into an exit).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/** A fresh directory under the system temp dir, removed at exit unless `removeTempDir` came first. */
export function makeTempDir(prefix: string): string {
  if (!hooked) {
    hooked = true;
    process.once('exit', removeAll);
  }
  const dir = mkdtempSync(join(tmpdir(), prefix));
  live.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}
