// One SCS takeover: with the pair settled, `kill -9` (or `kill -STOP`) the primary SCS and time the backup's
// decision (its log line 'SCS promoting itself'), its promotion (its log line 'SCS is primary',
// written once the new epoch is durable and the pair machines run) and its API answering role
// primary (polled every 5 ms). A stopped SCS keeps its sockets open: only the ADDP timeout
// tells the backup and the LCAs, so that fault shows the timeout's share. Then (after SIGKILL of
// a stopped one) start the failed SCS again, wait until it has come back as
// backup and everything is settled, and check the new primary's journal: an SCS takeover must
// not switch any application over.

import { LogWatch } from '../lib/log-watch.js';
import { type ScsId, type ScsPairSolution, type StatusBody, APPS, HOSTS, other } from './scs-pair.js';

const PROMOTION_TIMEOUT_MS = 10_000;
const SETTLE_TIMEOUT_MS = 30_000;
const API_POLL_MS = 5;
const SETTLE_POLL_MS = 20;
/** Quiet time between the pair settling and the kill: the last acks, logs and journal writes finish. */
const QUIET_MS = 200;

export interface Settled {
  readonly primary: ScsId;
  readonly pids: Readonly<Record<(typeof APPS)[number], number>>;
  /** The highest journal seq the primary shows. */
  readonly lastSeq: number;
  /** performance.now() when it was first seen settled. */
  readonly at: number;
}

/** Milliseconds from the kill, and what the run found. */
export interface TakeoverTiming {
  /** The backup logged 'SCS promoting itself' (read from its log file). */
  readonly decided: number;
  /** The backup logged 'SCS is primary'. */
  readonly logged: number;
  /** The same line's own timestamp − the wall clock of the kill (ms resolution). */
  readonly loggedByTimestamp: number;
  /** The backup's GET /api/v1/status first answered role primary. */
  readonly api: number;
  /** The killed SCS restarted and everything settled again (it back as backup). */
  readonly resettled: number;
  /** switchover-started events the new primary journaled from the kill until settled. */
  readonly switchovers: number;
  /** Applications whose process changed (restarted) across the takeover. */
  readonly restartedApps: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describe(status: StatusBody | undefined): string {
  if (status === undefined) return 'no answer';
  const apps = status.applications.map((a) => `${a.name} ${a.status}/${a.role}`).join(', ');
  const hosts = status.hosts.map((h) => `${h.name} ${h.connected ? 'up' : 'down'}`).join(', ');
  return `${status.scs.id} ${status.scs.role} epoch ${status.scs.epoch}, peer ${status.scs.peer?.connected ? 'connected' : 'not connected'}; ${hosts}; ${apps}`;
}

function isSettled(status: StatusBody | undefined, role: 'primary' | 'backup'): boolean {
  if (status === undefined || status.scs.role !== role || status.scs.peer?.connected !== true) return false;
  if (status.hosts.length !== HOSTS.length || !status.hosts.every((h) => h.connected)) return false;
  const app = (name: string) => status.applications.find((a) => a.name === name);
  const a = app(APPS[0]);
  const b = app(APPS[1]);
  return a?.status === 'started' && a.role === 'primary' && a.pid !== null && b?.status === 'started' && b.role === 'backup' && b.pid !== null;
}

/** Polls both SCSs until `primary` is primary, the other backup, both linked, and the application pair settled. */
export async function waitForSettled(pair: ScsPairSolution, primary: ScsId): Promise<Settled> {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const [p, b] = await Promise.all([pair.status(primary).catch(() => undefined), pair.status(other(primary)).catch(() => undefined)]);
    const at = performance.now();
    if (p !== undefined && isSettled(p, 'primary') && isSettled(b, 'backup')) {
      const pid = (name: string) => p.applications.find((a) => a.name === name)?.pid as number;
      const events = await pair.events(primary);
      return { primary, pids: { 'bench-a': pid(APPS[0]), 'bench-b': pid(APPS[1]) }, lastSeq: events.at(-1)?.seq ?? 0, at };
    }
    last = `${describe(p)} | ${describe(b)}`;
    if (at > deadline) {
      throw new Error(`the SCS pair did not settle with ${primary} as primary within ${SETTLE_TIMEOUT_MS} ms; last seen: ${last}\n`
        + `${primary} log:\n${pair.tail(primary)}\n${other(primary)} log:\n${pair.tail(other(primary))}`);
    }
    await sleep(SETTLE_POLL_MS);
  }
}

/** performance.now() when `id`'s API first answers role primary. */
async function apiSaysPrimary(pair: ScsPairSolution, id: ScsId): Promise<number> {
  const deadline = performance.now() + PROMOTION_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const status = await pair.get<StatusBody>(id, '/api/v1/status', 1000).catch(() => undefined);
    if (status?.scs.role === 'primary') return performance.now();
    await sleep(API_POLL_MS);
  }
  throw new Error(`${id}'s API did not say role primary within ${PROMOTION_TIMEOUT_MS} ms`);
}

export type Fault = 'SIGKILL' | 'SIGSTOP';

export async function takeoverRun(pair: ScsPairSolution, settled: Settled, fault: Fault): Promise<{ timing: TakeoverTiming; next: Settled }> {
  const killed = settled.primary;
  const backup = other(killed);
  await sleep(QUIET_MS);
  const watch = new LogWatch(pair.daemon(backup).logFile);
  try {
    const killedWall = Date.now();
    const killedAt = performance.now();
    process.kill(pair.daemon(killed).pid, fault);
    const [decided, logged, api] = await Promise.all([
      watch.next('SCS promoting itself', PROMOTION_TIMEOUT_MS),
      watch.next('SCS is primary', PROMOTION_TIMEOUT_MS),
      apiSaysPrimary(pair, backup),
    ]);
    await pair.reap(killed); // SIGKILL ends a stopped process too
    const restarted = pair.startScs(killed);
    await restarted.waitForLog('SCS started');
    const next = await waitForSettled(pair, backup);
    const events = await pair.events(backup, settled.lastSeq);
    const switchovers = events.filter((e) => e.type === 'switchover-started').length;
    const restartedApps = APPS.filter((app) => next.pids[app] !== settled.pids[app]).length;
    return {
      timing: {
        decided: decided.at - killedAt,
        logged: logged.at - killedAt,
        loggedByTimestamp: Date.parse(String(logged.line.timestamp)) - killedWall,
        api: api - killedAt,
        resettled: next.at - killedAt,
        switchovers,
        restartedApps,
      },
      next,
    };
  } finally {
    watch.close();
  }
}
