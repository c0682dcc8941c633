// What must hold in every schedule, checked after every slice of simulated time and at every
// role acknowledgement. The truth is the simulation's (which processes live, hang, acknowledged
// which role); "reachable" is what the SCS can see (it is up, the host's LCA is up and linked,
// and the SCS holds a connected link to it).

import type { Role } from '@mlayer/common';
import type { JournalEvent, StatusView } from '@mlayer/scs/internal';
import type { SimProcess } from './sim-host.js';
import { APPS, HOSTS, type HostName, TIMING } from './solution.js';
import type { World } from './world.js';

/** How often the harness looks (the resolution of every time bound below). */
export const CHECK_MS = 250;

/**
 * Invariant 2: how long a pair with a started, reachable backup may go without a reachable
 * primary. Detection + promotion, from the configured timeouts:
 *  - detection: a crash, a Service Unavailable report or a closed link is seen at once; a hung
 *    application is lost when its LCA has heard nothing for the application's ADDP timeout,
 *    checked every third of it (T_app · 4/3 ≈ 2.7 s); a lost host when the SCS has heard nothing
 *    from its LCA for T_scs · 4/3 = 4 s, plus disconnectSwitchoverTimeout (1 s): 5 s at worst.
 *  - promotion: a running old primary gets the switchover timeout to acknowledge its demotion
 *    (else it is fenced), then the candidate gets the same to acknowledge primary (else it is
 *    fenced too, and is no longer a started backup): 2 × 2 s.
 *  - plus the resolution of the checks and 500 ms for the 250 ms polls of re-adopted processes.
 */
export const NO_PRIMARY_BOUND_MS =
  Math.max((TIMING.scsAddpMs * 4) / 3 + TIMING.disconnectSwitchoverMs, (TIMING.appAddpMs * 4) / 3) +
  2 * TIMING.switchoverTimeoutMs + CHECK_MS + 500;

/** The slowest acknowledgement the scheduler injects. */
export const MAX_SLOW_ACK_MS = 3000;

/** The SDK's reconnect backoff cap: how long a re-adopted application may take to register again. */
export const SDK_RECONNECT_MAX_MS = 2000;

/**
 * Invariant 1: a member that becomes reachable again (a healed partition, a restarted LCA or
 * SCS) may still act as primary from before; the SCS must demote it within this grace. Its LCA
 * may be new and the application not yet registered again (up to the SDK's reconnect cap), so
 * the first demotion can fail and is retried after the switchover timeout; the retry is then
 * acknowledged within the switchover timeout (the LCA's wait plus the 1 s reply margin) or the
 * slowest acknowledgement, whichever is longer.
 */
export const REJOIN_GRACE_MS = SDK_RECONNECT_MAX_MS + TIMING.switchoverTimeoutMs +
  Math.max(TIMING.switchoverTimeoutMs + 1000, MAX_SLOW_ACK_MS) + CHECK_MS + 250;

/** How long facts must have stood, on a reachable host, before the SCS is held to know them. */
export const FACTS_SETTLE_MS = 1000;

export const PAIRS = [
  { name: 'web-a', members: ['web-a', 'web-b'], kind: 'generic' },
  { name: 'cfg-a', members: ['cfg-a', 'cfg-b'], kind: 'config-server' },
] as const;

interface SeenEvent {
  readonly event: JournalEvent;
  readonly json: string;
  readonly run: number;
}

/**
 * (3) The Config Server guard, judged when the SCS's order reaches the candidate: in a
 * switchover (`inSwitchover`: the acting SCS journaled one to this candidate, not yet ended),
 * only a candidate whose fresh facts said peer=down and database=up is promoted; and never one
 * whose facts have said for a while (the SCS could know: its host reachable for `reachableMs`)
 * that it sees the other Config Server, while that one has been acting as primary for a while
 * too. (What changed moments before, or while messages were held, is a race the candidate
 * settles itself: it refuses, as in seed 003.)
 */
export function configServerPromotionProblems(world: World, process: SimProcess, inSwitchover: boolean, reachableMs: number): string[] {
  const problems: string[] = [];
  const facts = process.lastAnswer;
  if (inSwitchover && (facts?.peer !== 'down' || facts.database !== 'up')) {
    problems.push(`(3) ${process.name} was told to become primary in a switchover although its last fact answer was ${JSON.stringify(facts ?? null)}`);
  }
  const partner = world.partnerOf(process.name) as string;
  const now = world.now();
  const rival = world.processes(partner).find((p) => !p.hung && !p.suspending && p.role === 'primary' && now - p.roleSince >= FACTS_SETTLE_MS);
  const known = process.lastAnswerAt > process.lastReportedAt ? process.lastAnswer : process.lastReported;
  const knownSince = Math.max(process.lastAnswerAt, process.lastReportedAt);
  const settled = now - knownSince >= FACTS_SETTLE_MS && reachableMs >= FACTS_SETTLE_MS;
  if (rival && settled && known?.peer === 'up') {
    problems.push(`(3) ${process.name}[${process.pid}] was told to become primary while it sees ${rival.name}[${rival.pid}] acting as primary (peer=up)`);
  }
  return problems;
}

export class Invariants {
  readonly violations: string[] = [];
  readonly seen: SeenEvent[] = [];
  private readonly reachableSince = new Map<HostName, number | null>();
  private readonly outageSince = new Map<string, number | null>();
  /** The switchover each pair is in the middle of (journaled as started, not yet ended). */
  private readonly openSwitchover = new Map<string, string | null>();

  constructor(private readonly world: World) {
    world.setHooks({
      roleRequested: (p, role) => this.roleRequested(p, role),
      roleAcked: (p, role) => this.roleAcked(p, role),
      event: (e, run) => this.event(e, run),
    });
  }

  fail(message: string): void {
    const line = `t=${this.world.now()} ${message}`;
    if (this.violations.length < 20) this.violations.push(line);
    this.world.note(`VIOLATION ${message}`);
  }

  // ---- reachability --------------------------------------------------------------------------

  /**
   * The hosts the current SCS run holds a connected link to, as its journal tells (host-connected
   * and host-disconnected; cheaper than building the whole status view at every look).
   */
  private connected: { run: number; readonly hosts: Set<string> } = { run: 0, hosts: new Set() };

  private scsSeesHost(host: HostName): boolean {
    return this.connected.run === this.world.scs?.run && this.connected.hosts.has(host);
  }

  reachable(host: HostName): boolean {
    return this.world.scs !== undefined && this.world.lcaUp(host) && this.world.linked(host) && this.scsSeesHost(host);
  }

  private reachableFor(host: HostName): number {
    const since = this.reachableSince.get(host);
    return since === null || since === undefined || !this.reachable(host) ? -1 : this.world.now() - since;
  }

  private hostOf(app: string): HostName {
    return this.world.def(app).host;
  }

  // ---- invariant 1 and 3: at every acknowledgement and every check -------------------------------

  private roleRequested(process: SimProcess, role: Role): void {
    if (role === 'primary' && this.world.def(process.name).kind === 'config-server') this.checkConfigServerPromotion(process);
  }

  private roleAcked(process: SimProcess, role: Role): void {
    this.world.note(`${process.name}[${process.pid}] acknowledged ${role}`);
    if (role === 'primary') this.checkSinglePrimary();
  }

  /** (1) At most one member of a pair acknowledges primary among the live, reachable ones. */
  private checkSinglePrimary(): void {
    for (const pair of PAIRS) {
      const primaries = pair.members.flatMap((app) => this.world.processes(app))
        .filter((p) => !p.hung && !p.suspending && p.role === 'primary' && this.reachableFor(this.hostOf(p.name)) >= REJOIN_GRACE_MS);
      if (primaries.length > 1) {
        this.fail(`(1) pair ${pair.name} has ${primaries.length} live, reachable primaries: ${primaries.map((p) => `${p.name}[${p.pid}]`).join(', ')}`);
      }
    }
  }

  private checkConfigServerPromotion(process: SimProcess): void {
    const pair = this.world.def(process.name).pair as string;
    for (const problem of configServerPromotionProblems(this.world, process, this.openSwitchover.get(pair) === process.name, this.reachableFor(this.hostOf(process.name)))) this.fail(problem);
  }

  // ---- invariant 4: the journal ---------------------------------------------------------------

  private event(event: JournalEvent, run: number): void {
    const last = this.seen.at(-1);
    if (last && event.seq <= last.event.seq) {
      this.fail(`(4) journal seq ${event.seq} (SCS run ${run}) does not follow ${last.event.seq} (SCS run ${last.run})`);
    }
    this.seen.push({ event, json: JSON.stringify(event), run });
    if (this.connected.run !== run) this.connected = { run, hosts: new Set() };
    if (event.type === 'host-connected') this.connected.hosts.add(event.host);
    if (event.type === 'host-disconnected') this.connected.hosts.delete(event.host);
    if (event.type === 'switchover-started') this.openSwitchover.set(event.pair, event.to);
    if (event.type === 'switchover-completed' || event.type === 'switchover-failed') this.openSwitchover.set(event.pair, null);
  }

  /** After an SCS crash: everything a subscriber saw is on disk, byte for byte. */
  checkJournalDurable(): void {
    const onDisk = new Set(this.world.scsDisk.syncedLines(this.world.journalDir));
    const lost = this.seen.filter((s) => !onDisk.has(s.json));
    if (lost.length > 0) this.fail(`(4) ${lost.length} events seen by subscribers are not on disk after the crash, first seq ${lost[0]?.event.seq}`);
    for (const pair of PAIRS) this.openSwitchover.set(pair.name, null);
  }

  /** After an SCS restart: its API returns every event subscribers saw, unchanged. */
  async checkJournalRecovered(): Promise<void> {
    const server = this.world.scs?.server;
    if (!server) return;
    const events = await server.events(0, 10_000);
    const bySeq = new Map(events.map((e) => [e.seq, JSON.stringify(e)]));
    const missing = this.seen.filter((s) => bySeq.get(s.event.seq) !== s.json);
    if (missing.length > 0) this.fail(`(4) the restarted SCS lost or changed ${missing.length} events, first seq ${missing[0]?.event.seq}`);
  }

  // ---- the periodic check ---------------------------------------------------------------------

  check(): void {
    const now = this.world.now();
    for (const host of HOSTS) {
      const up = this.reachable(host);
      const since = this.reachableSince.get(host) ?? null;
      if (up && since === null) this.reachableSince.set(host, now);
      if (!up) this.reachableSince.set(host, null);
    }
    this.checkSinglePrimary();
    this.checkPrimaryCoverage(now);
  }

  /** (2) A pair with a started, reachable backup gets a primary within NO_PRIMARY_BOUND_MS. */
  private checkPrimaryCoverage(now: number): void {
    const scs = this.world.scs;
    for (const pair of PAIRS) {
      const members = pair.members.flatMap((app) => this.world.processes(app));
      const covered = members.some((p) => !p.hung && p.role === 'primary' && this.reachable(this.hostOf(p.name)));
      const ready = scs !== undefined && now - scs.bootedAt >= TIMING.startWindowMs;
      const eligible = ready && members.some((p) =>
        !p.hung && p.status === 'started' && p.registered && this.reachable(this.hostOf(p.name)) &&
        (pair.kind !== 'config-server' || this.world.factsOf(p).peer === 'down'));
      if (covered || !eligible) {
        this.outageSince.set(pair.name, null);
        continue;
      }
      const since = this.outageSince.get(pair.name) ?? null;
      if (since === null) this.outageSince.set(pair.name, now);
      else if (now - since > NO_PRIMARY_BOUND_MS) {
        this.fail(`(2) pair ${pair.name} has had a started backup but no primary for ${now - since} ms (bound ${NO_PRIMARY_BOUND_MS} ms)`);
        this.outageSince.set(pair.name, now);
      }
    }
  }

  // ---- invariant 5: convergence ----------------------------------------------------------------

  /** Once faults stopped and time ran: one primary per pair, everything started and known alike. */
  converged(): void {
    for (const problem of this.divergence()) this.fail(problem);
  }

  /** What still keeps the solution from having converged (nothing, once it has). */
  divergence(): string[] {
    const problems: string[] = [];
    const fail = (message: string) => problems.push(message);
    const scs = this.world.scs;
    if (!scs) return ['(5) no SCS after the faults stopped'];
    const status = scs.server.status();
    for (const host of status.hosts) if (!host.connected) fail(`(5) the SCS is not connected to ${host.name}`);
    const run = scs.run;
    const flapping = new Set(this.seen.filter((s) => s.run === run && s.event.type === 'flapping').map((s) => (s.event as { pair: string }).pair));
    problems.push(...applicationDivergence(this.world, status, flapping));
    return problems;
  }
}

/**
 * (5) for the applications, judged by what the acting SCS shows (`status`): each runs once,
 * started and registered (or, in a flapping pair, waits for an operator), the SCS sees it as it
 * is, every pair with a started member has one primary and the other member as backup, and the
 * standalone application is primary.
 */
export function applicationDivergence(world: World, status: StatusView, flapping: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const started = new Map<string, SimProcess>();
  for (const def of APPS) {
    const processes = world.processes(def.name);
    const view = status.applications.find((a) => a.name === def.name);
    if (processes.length > 1) fail(`(5) ${def.name} runs ${processes.length} times: ${processes.map((p) => p.pid).join(', ')}`);
    const p = processes[0];
    if (!p || p.status !== 'started' || !p.registered) {
      if (def.pair !== null && flapping.has(def.pair) && !p) continue; // flapping: restarts wait for an operator
      fail(`(5) ${def.name} is not running and started (process ${p ? `${p.pid} ${p.status}${p.registered ? '' : ', unregistered'}` : 'none'}; SCS sees ${view?.status})`);
      continue;
    }
    started.set(def.name, p);
    if (view?.status !== 'started' || view.role !== p.role || view.pid !== p.pid) {
      fail(`(5) the SCS sees ${def.name} as ${view?.status}/${view?.role} pid ${view?.pid}, it is started/${p.role} pid ${p.pid}`);
    }
  }
  for (const pair of PAIRS) {
    const running = pair.members.map((m) => started.get(m)).filter((p): p is SimProcess => p !== undefined);
    if (running.length === 0) continue;
    const primaries = running.filter((p) => p.role === 'primary');
    const others = running.filter((p) => p.role !== 'primary' && p.role !== 'backup');
    if (primaries.length !== 1) fail(`(5) pair ${pair.name} has ${primaries.length} primaries: ${running.map((p) => `${p.name}=${p.role}`).join(', ')}`);
    if (others.length > 0) fail(`(5) pair ${pair.name}: ${others.map((p) => `${p.name} has role ${p.role}`).join(', ')}, not backup`);
  }
  const solo = started.get('solo');
  if (solo && solo.role !== 'primary') fail(`(5) the standalone application has role ${solo.role}, not primary`);
  return problems;
}
