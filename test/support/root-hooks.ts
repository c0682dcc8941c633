// Root hooks for the cross-package tests: every process a test starts carries this run's id in
// its environment (children inherit it, and LCAs pass it to the applications they launch). At
// the end, anything still alive with that id is a leak: it is killed and the run fails.

import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';

const RUN = randomBytes(6).toString('hex');
process.env.MLAYER_TEST_RUN = RUN;

function leakedPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`MLAYER_TEST_RUN=${RUN}`)) continue;
      // tsx's own esbuild service lives as long as the test runner: not a test's process.
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('/esbuild')) continue;
      pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

export const mochaHooks = {
  afterAll(): void {
    const leaked = leakedPids().filter((pid) => {
      try {
        return !readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z ');
      } catch {
        return false;
      }
    });
    const described = leaked.map((pid) => {
      try {
        return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim().slice(0, 160)}`;
      } catch {
        return String(pid);
      }
    });
    for (const pid of leaked) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (leaked.length > 0) {
      throw new Error(`tests left ${leaked.length} process(es) running (killed now): ${described.join("; ")}`);
    }
  },
};
