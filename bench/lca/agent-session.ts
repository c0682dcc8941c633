// The LCA under test and the benchmark playing its SCS: one real `mlayer lca` process (started by
// the shared test harness), an authenticated SCS link to it, the arrival time of every status
// report on that link, and the cleanup of the LCA and of every application it launched.

import { type AppReport, lcaMessageSchema } from '@mlayer/common';
import { cleanupDaemons, startLca, type RunningLca } from '../../test/support/daemons.js';
import { connectAsScs, type TestScs } from '../../test/support/scs-client.js';
import { withDeadline } from '../lib/deadline.js';
import { ProcessGroups } from '../lib/process-groups.js';

/** A production LCA logs at info (the CONTRACT default); the test harness's debug would be slower. */
export const LCA_LOG_LEVEL = 'info';
const SECRET = 'lca-benchmark-shared-secret-0123456789';

export interface TimedReport {
  readonly report: AppReport;
  /** performance.now() when the link handed the message to the benchmark. */
  readonly at: number;
}

type ReportMatch = (report: AppReport) => boolean;

/** Every `app-status` report the LCA sent, stamped on arrival; waits start from a mark. */
export class ReportLog {
  private readonly reports: TimedReport[] = [];
  private readonly waiters = new Set<{ readonly match: ReportMatch; readonly resolve: (timed: TimedReport) => void }>();

  /** The link's message listener: stamps first, parses after. */
  readonly onMessage = (message: unknown): void => {
    const at = performance.now();
    const parsed = lcaMessageSchema.safeParse(message);
    if (!parsed.success || parsed.data.type !== 'app-status') return;
    const timed: TimedReport = { report: parsed.data.report, at };
    this.reports.push(timed);
    for (const waiter of this.waiters) {
      if (!waiter.match(timed.report)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(timed);
    }
  };

  /** A position in the log: later waits only see reports that arrive after it. */
  mark(): number {
    return this.reports.length;
  }

  /** The first report from `since` on that matches; rejects after `timeoutMs`. */
  async next(what: string, since: number, match: ReportMatch, timeoutMs: number): Promise<TimedReport> {
    const past = this.reports.slice(since).find((timed) => match(timed.report));
    if (past !== undefined) return past;
    let waiter: { readonly match: ReportMatch; readonly resolve: (timed: TimedReport) => void } | undefined;
    const arrival = new Promise<TimedReport>((resolve) => {
      waiter = { match, resolve };
      this.waiters.add(waiter);
    });
    try {
      return await withDeadline(arrival, timeoutMs, `the LCA did not report ${what}`);
    } finally {
      if (waiter !== undefined) this.waiters.delete(waiter);
    }
  }
}

export interface AgentSession {
  readonly lca: RunningLca;
  readonly scs: TestScs;
  readonly reports: ReportLog;
  /** The applications the LCA launched, killed with their process groups when the session ends. */
  readonly apps: ProcessGroups;
}

/** Runs `body` against a fresh LCA; afterwards kills the LCA and every application it launched. */
export async function withAgentSession<T>(body: (session: AgentSession) => Promise<T>): Promise<T> {
  const daemon = new ProcessGroups();
  const apps = new ProcessGroups();
  let lca: RunningLca | undefined;
  let scs: TestScs | undefined;
  try {
    lca = await startLca({ name: 'bench-host', secret: SECRET, extraArgs: ['--log-level', LCA_LOG_LEVEL] });
    if (lca.process.pid !== undefined) daemon.add(lca.process.pid, { group: false });
    scs = await connectAsScs(lca.port, lca.secret, { name: 'bench-scs' });
    const reports = new ReportLog();
    // First in line: the harness's own listener parses every message before later listeners run.
    scs.link.prependListener('message', reports.onMessage);
    return await body({ lca, scs, reports, apps });
  } finally {
    scs?.close();
    apps.killAll();
    try {
      await cleanupDaemons(); // SIGKILLs the LCA and waits for it, then kills what its state file says it launched
    } finally {
      // Once reaped, its pid is free for reuse: forget it rather than signal it later.
      const pid = lca?.process.pid;
      if (pid !== undefined && (lca?.process.exitCode !== null || lca.process.signalCode !== null)) daemon.forget(pid);
      daemon.killAll();
    }
  }
}
