// One hang of the hang-vs-timeout suite: start a demo application with ADDP timeout T under the
// LCA, let it run idle for a random part of a poll period (so that the stop falls anywhere in
// the keep-alive cycle), SIGSTOP it and time the LCA's `hung` report. The LCA then SIGKILLs it;
// the run ends once the LCA has reported it stopped (or, failing that, kills it itself).

import type { AppReport } from '@mlayer/common';
import { demoSpec } from '../../test/support/daemons.js';
import type { AgentSession } from '../lca/agent-session.js';
import { isAlive } from '../lib/process-groups.js';

const START_TIMEOUT_MS = 15_000;
/** How long after T the hung report may take before the run counts as broken (not slow). */
const DETECTION_GRACE_MS = 5_000;
const REAP_TIMEOUT_MS = 5_000;
const QUIET_MS = 100;

export interface HangTiming {
  /** Milliseconds from the SIGSTOP to the `hung` report's arrival. */
  readonly detected: number;
  /** The process was still there after the hung report and this run had to kill it. */
  readonly leftStopped: boolean;
}

const isApp = (name: string, status: AppReport['status']) => (r: AppReport) => r.app === name && r.status === status;

function release(pid: number): void {
  for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return !isAlive(pid);
}

export async function hangOnce(session: AgentSession, name: string, port: number, timeoutMs: number): Promise<HangTiming> {
  const { scs, reports, apps } = session;
  const since = reports.mark();
  await scs.request({ type: 'start', app: demoSpec(name, port, { addpTimeoutMs: timeoutMs }) });
  const started = await reports.next(`${name} started`, since, isApp(name, 'started'), START_TIMEOUT_MS);
  const pid = started.report.pid;
  if (pid === null) throw new Error(`${name} reported started without a pid`);
  apps.add(pid, { group: true });
  let stopped = false;
  try {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS + Math.random() * (timeoutMs / 3)));
    const mark = reports.mark();
    const stoppedAt = performance.now();
    process.kill(pid, 'SIGSTOP');
    stopped = true;
    const hung = await reports.next(`${name} hung after SIGSTOP (T = ${timeoutMs} ms)`, mark, isApp(name, 'hung'), timeoutMs + DETECTION_GRACE_MS);
    const detected = hung.at - stoppedAt;
    await reports.next(`${name} stopped after its hang`, mark, isApp(name, 'stopped'), REAP_TIMEOUT_MS).catch(() => undefined);
    const leftStopped = !(await gone(pid, REAP_TIMEOUT_MS));
    return { detected, leftStopped };
  } finally {
    if (stopped && isAlive(pid)) release(pid);
    if (!isAlive(pid)) apps.forget(pid);
  }
}
