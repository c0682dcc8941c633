// The physical reference for spawn → started: spawning the demo application's own script with
// no LCA environment. It starts Node, loads the whole module graph the real start loads
// (logger, SDK, ADDP, schemas), fails its check for the LCA's variables and exits 2. What the
// LCA adds on top is its state write, the spawn, the ADDP handshake and the reports.

import { DEMO_APP } from '../../test/support/daemons.js';
import type { ChildProcesses } from '../lib/child-processes.js';
import { withDeadline } from '../lib/deadline.js';

const EXIT_TIMEOUT_MS = 15_000;

export const NODE_STARTUP_SOURCE = 'spawn → exit of `node mlayer-demo-app.js` without the LCA environment (Node start + the demo app\'s module graph, then exit 2)';

/** Milliseconds from spawn to the child's 'exit' event. */
export async function timeDemoScriptStartup(children: ChildProcesses): Promise<number> {
  const spawnedAt = performance.now();
  const child = children.spawnNode(DEMO_APP);
  let exitedAt = NaN;
  let code: number | null = null;
  child.process.once('exit', (exitCode) => {
    exitedAt = performance.now();
    code = exitCode;
  });
  await withDeadline(child.exited, EXIT_TIMEOUT_MS, `node ${DEMO_APP} did not exit`);
  if (code !== 2 || !child.stderr.includes('not started by an mlayer LCA')) {
    throw new Error(`the startup reference did not stop at the LCA check (exit ${String(code)}): ${child.stderr.trim()}`);
  }
  return exitedAt - spawnedAt;
}
