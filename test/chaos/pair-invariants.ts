// What must hold with an SCS pair (pair-world.ts), checked after every slice of simulated time,
// at every role acknowledgement and at every promotion of an SCS. The truth is the simulation's:
// which SCS runs and with which role and epoch, which machine paths are cut and since when,
// which SCS sessions each LCA holds, which epoch each LCA follows.
//
//  (P1) Per SCS epoch, at most one member of a pair acts as primary on the hosts the primary SCS
//       of that epoch controls (it is connected to their LCA, which follows its epoch).
//  (P2) The split-brain guard: a backup SCS takes over from a primary SCS only when it can
//       detect it by neither path: not over the direct link, nor on the LCA of its host.
//  (P3) Epochs: no two SCSs are ever primary under the same epoch; each SCS's epochs increase.
//  (P4) A subscriber that follows the acting primary SCS sees journal seqs strictly increase.
//  (P5) Convergence once faults stop: one primary SCS, connected to every LCA, each following
//       its epoch; every application as invariant (5) of invariants.ts requires.
//       And the backup SCS's journal is the primary's, event for event.
//  (P6) Takeover: a backup SCS whose peer is down, and which reaches the LCA of its peer's host,
//       is primary within TAKEOVER_BOUND_MS.
//  (P7) The Config Server guard (invariant 3 of invariants.ts), judged against the acting primary SCS.
//  (P8) Invariant 2 of invariants.ts under the acting primary SCS: once it has acted for the
//       start window, a pair with a started backup on a host it controls gets a primary there
//       within NO_PRIMARY_BOUND_MS.

import type { JournalEvent, StatusView } from '@mlayer/scs/internal';
import { LCA_LINK_DEFAULTS, MAX_SINCE_LIMIT } from '@mlayer/scs/internal';
import { CHECK_MS, NO_PRIMARY_BOUND_MS, PAIRS, REJOIN_GRACE_MS, applicationDivergence, configServerPromotionProblems } from './invariants.js';
import type { SimProcess } from './sim-host.js';
import { NEGOTIATE_WINDOW_MS, type PairTiming, SCS_HOST, SCS_IDS, type ScsId, peerOf, scsMachine } from './pair-solution.js';
import type { PairScsRun, PairWorld } from './pair-world.js';
import { HOSTS, type HostName, TIMING } from './solution.js';

/** The peer link's reconnect backoff cap (peer-link.ts). */
export const PEER_RECONNECT_MAX_MS = 2000;

/** An in-memory connect, handshake and authentication, with margin. */
const HANDSHAKE_MS = 500;

/**
 * (P2) Once the direct path between the two SCSs has been up both ways (and both ran) this long,
 * each sees the other over it: a link that survived the cut is live again, one that timed out is
 * dialled again within the peer link's backoff cap.
 */
export const DIRECT_SEEN_MS = PEER_RECONNECT_MAX_MS + HANDSHAKE_MS + 2 * CHECK_MS;

/**
 * (P2) Once an SCS has had a path to the LCA of its peer's host, and the peer a session on that
 * LCA, this long, it knows the peer is there: its LCA link reconnects within the LCA link's
 * backoff cap and the snapshot (or the next scs-sessions report) names the peer.
 */
export const LCA_SEEN_MS = LCA_LINK_DEFAULTS.backoff.maxMs + HANDSHAKE_MS + 2 * CHECK_MS;

/**
 * (P6) How long a backup SCS may stay backup once its peer is down and it reaches the LCA of the
 * peer's host: it connects to that LCA (LCA_SEEN_MS) or, just started, waits out the negotiate
 * window; then it confirms for takeoverDelayMs.
 */
export function takeoverBoundMs(timing: PairTiming): number {
  return Math.max(NEGOTIATE_WINDOW_MS, LCA_SEEN_MS) + timing.takeoverDelayMs + 2 * CHECK_MS;
}

interface SeenEvent {
  readonly id: ScsId;
  readonly run: number;
  readonly epoch: number;
  readonly at: number;
  readonly event: JournalEvent;
}

export class PairInvariants {
  readonly violations: string[] = [];
  /** Known limitations met (not violations), counted for the suite's summary. */
  readonly notes: Record<string, number> = {};
  /** What a subscriber that follows the acting primary SCS saw. */
  readonly followed: SeenEvent[] = [];
  /** Who became primary under each epoch, and each SCS's last epoch as primary. */
  readonly epochs = new Map<number, ScsId>();
  private readonly lastEpoch = new Map<ScsId, number>();
  /** Per run: when it last became primary, and the pairs its machines declared flapping since. */
  private readonly terms = new Map<number, { since: number; flapping: Set<string> }>();
  private readonly lcaUpSince = new Map<HostName, number>();
  /** `host|scs`: since when that LCA holds an authenticated session of that SCS. */
  private readonly sessionSince = new Map<string, number>();
  /** `run|host|epoch`: since when that primary SCS run controls the host. */
  private readonly controlSince = new Map<string, number>();
  private readonly peerDownSince = new Map<ScsId, number>();
  /** The switchover each pair is in the middle of, as the SCS run that journaled it tells. */
  private readonly openSwitchover = new Map<string, { readonly run: number; readonly to: string } | null>();
  /** (P8) Since when each pair has had a started backup but no primary, under the acting primary SCS. */
  private readonly outageSince = new Map<string, number>();
  private readonly takeoverBound: number;

  constructor(private readonly world: PairWorld, timing: PairTiming) {
    this.takeoverBound = takeoverBoundMs(timing);
    world.setHooks({
      roleRequested: (p, role) => {
        if (role === 'primary' && world.def(p.name).kind === 'config-server') this.checkConfigServerPromotion(p);
      },
      roleAcked: (p, role) => {
        world.note(`${p.name}[${p.pid}] acknowledged ${role}`);
        if (role === 'primary') this.checkSinglePrimary();
      },
      event: () => undefined,
    });
    world.setPairHooks({ event: (id, run, event) => this.event(id, run, event) });
  }

  fail(message: string): void {
    const line = `t=${this.world.now()} ${message}`;
    if (this.violations.length < 20) this.violations.push(line);
    this.world.note(`VIOLATION ${message}`);
  }

  // ---- what the journals tell: promotions (P2, P3) and what subscribers see (P4) ------------------

  private event(id: ScsId, run: number, event: JournalEvent): void {
    // A backup replicates its primary's events (its own old ones too, after a split brain): only
    // the event it journals as primary, under the epoch it now holds, tells of its promotion.
    if (event.type === 'scs-role' && event.to === 'primary' && event.scs === id && this.holds(id, run, event.epoch)) this.promoted(id, run, event.epoch);
    if (event.type === 'flapping') this.terms.get(run)?.flapping.add(event.pair);
    const acting = this.world.actingPrimary();
    if (acting?.id !== id || acting.run !== run) return;
    if (event.type === 'switchover-started') this.openSwitchover.set(event.pair, { run, to: event.to });
    if (event.type === 'switchover-completed' || event.type === 'switchover-failed') this.openSwitchover.set(event.pair, null);
    const epoch = acting.server.status().scs.epoch;
    const last = this.followed.at(-1);
    if (last && event.seq <= last.event.seq) this.seqWentBack(id, run, epoch, event, last);
    this.followed.push({ id, run, epoch, at: this.world.now(), event });
    if (this.followed.length > 1000) this.followed.splice(0, 500);
  }

  /**
   * (P4) Within one term (an SCS run acting under one epoch) seq never goes back. Across a
   * takeover it may, by the design's known limitation: replication is asynchronous, so the events
   * the old primary published but the new one never received (the direct link was cut, or the
   * new one was down) are superseded by the new primary's. That is counted and noted, not
   * excused silently; and if the direct link was up and the new primary ran all the while those
   * events were published, it should have had them: a violation.
   */
  private seqWentBack(id: ScsId, run: number, epoch: number, event: JournalEvent, last: SeenEvent): void {
    const what = `seq ${event.seq} (${id} run ${run} epoch ${epoch}, ${event.type}) after seq ${last.event.seq} (${last.id} run ${last.run} epoch ${last.epoch}, ${last.event.type})`;
    if (last.run === run && last.epoch === epoch) {
      this.fail(`(P4) a subscriber of the acting primary saw ${what}`);
      return;
    }
    const superseded = this.followed.filter((s) => s.event.seq >= event.seq);
    const first = superseded[0] as SeenEvent;
    const self = this.world.runs.get(id) as PairScsRun;
    const direct = this.world.pathUpSince(scsMachine(id), scsMachine(peerOf(id)));
    const couldHaveIt = self.bootedAt <= first.at - DIRECT_SEEN_MS && direct !== undefined && direct <= first.at - DIRECT_SEEN_MS;
    if (couldHaveIt) {
      this.fail(`(P4) a subscriber of the acting primary saw ${what}: ${id} ran, with the direct link up, all the while the ${superseded.length} events it superseded were published`);
      return;
    }
    this.notes['superseded-events'] = (this.notes['superseded-events'] ?? 0) + superseded.length;
    this.notes['takeovers-superseding'] = (this.notes['takeovers-superseding'] ?? 0) + 1;
    this.world.note(`known limitation: ${id}'s takeover supersedes ${superseded.length} events (seq ${first.event.seq}..${last.event.seq}) it never received; subscribers saw ${what}`);
  }

  private holds(id: ScsId, run: number, epoch: number): boolean {
    const current = this.world.runs.get(id);
    if (current?.run !== run) return false;
    const { role, epoch: held } = current.server.status().scs;
    return role === 'primary' && held === epoch;
  }

  private promoted(id: ScsId, run: number, epoch: number): void {
    this.world.note(`${id} run ${run} is primary under epoch ${epoch}`);
    // A new term: switchovers this run journaled in an earlier term ended with it.
    for (const [pair, open] of this.openSwitchover) if (open?.run === run) this.openSwitchover.set(pair, null);
    this.terms.set(run, { since: this.world.now(), flapping: new Set() });
    const owner = this.epochs.get(epoch);
    if (owner !== undefined) this.fail(`(P3) ${id} became primary under epoch ${epoch}, which ${owner === id ? 'it already held before' : `${owner} held`}`);
    this.epochs.set(epoch, id);
    const previous = this.lastEpoch.get(id) ?? 0;
    if (epoch <= previous) this.fail(`(P3) ${id} became primary under epoch ${epoch} after it was primary under epoch ${previous}`);
    this.lastEpoch.set(id, Math.max(previous, epoch));
    this.checkGuard(id, epoch);
  }

  /** (P2) at a promotion: the peer, if primary, could be detected by neither path for a while. */
  private checkGuard(id: ScsId, epoch: number): void {
    const self = this.world.runs.get(id);
    const peer = peerOf(id);
    const rival = this.world.runs.get(peer);
    if (!self || !rival) return;
    const rivalView = rival.server.status().scs;
    if (rivalView.role !== 'primary') return;
    const now = this.world.now();
    const bothRan = Math.max(self.bootedAt, rival.bootedAt);
    const direct = this.world.pathUpSince(scsMachine(id), scsMachine(peer));
    if (direct !== undefined && now - Math.max(direct, bothRan) >= DIRECT_SEEN_MS) {
      this.fail(`(P2) ${id} took over (epoch ${epoch}) from primary ${peer} (epoch ${rivalView.epoch}) although the direct link had been up both ways for ${now - Math.max(direct, bothRan)} ms`);
    }
    const host = SCS_HOST[peer];
    const toHost = this.world.pathUpSince(scsMachine(id), host);
    // Sampled at every check; what changed since (the LCA crashed a moment ago) counts as well.
    const present = this.world.lcas.get(host)?.agent.snapshot().scs.some((s) => s.scs === peer) ?? false;
    const lca = present ? this.lcaUpSince.get(host) : undefined;
    const session = present ? this.sessionSince.get(`${host}|${peer}`) : undefined;
    if (toHost !== undefined && lca !== undefined && session !== undefined) {
      const since = Math.max(toHost, lca, session, self.bootedAt);
      if (now - since >= LCA_SEEN_MS) {
        this.fail(`(P2) ${id} took over (epoch ${epoch}) from primary ${peer} (epoch ${rivalView.epoch}) although the LCA of ${host} had held ${peer}'s session, reachable from ${id}, for ${now - since} ms`);
      }
    }
  }

  /** (P7) Invariant 3 of invariants.ts, for the order of the acting primary SCS. */
  private checkConfigServerPromotion(process: SimProcess): void {
    const acting = this.world.actingPrimary();
    if (!acting) return;
    const def = this.world.def(process.name);
    const open = this.openSwitchover.get(def.pair as string);
    const epoch = acting.server.status().scs.epoch;
    const controlled = this.controlSince.get(`${acting.run}|${def.host}|${epoch}`);
    const reachableMs = controlled === undefined ? -1 : this.world.now() - controlled;
    for (const problem of configServerPromotionProblems(this.world, process, open?.run === acting.run && open.to === process.name, reachableMs)) this.fail(problem.replace('(3)', '(P7)'));
  }

  // ---- the periodic check ----------------------------------------------------------------------

  check(): void {
    const now = this.world.now();
    const views = new Map(this.world.upRuns().map((run) => [run, run.server.status()] as const));
    const lcaEpochs = this.observeLcas(now);
    const primaries = [...views.values()].filter((view) => view.scs.role === 'primary');
    if (primaries.length === 2 && primaries[0]?.scs.epoch === primaries[1]?.scs.epoch) {
      this.fail(`(P3) scs-a and scs-b are both primary under epoch ${primaries[0]?.scs.epoch}`);
    }
    this.observeControl(now, views, lcaEpochs);
    this.checkSinglePrimary(views);
    this.checkTakeover(now, views);
    this.checkPrimaryCoverage(now);
  }

  /** Which LCAs are up and which SCS sessions they hold, since when; returns the epoch each follows. */
  private observeLcas(now: number): Map<HostName, number> {
    const epochs = new Map<HostName, number>();
    for (const host of HOSTS) {
      const lca = this.world.lcas.get(host);
      if (!lca) {
        this.lcaUpSince.delete(host);
        for (const id of SCS_IDS) this.sessionSince.delete(`${host}|${id}`);
        continue;
      }
      if (!this.lcaUpSince.has(host)) this.lcaUpSince.set(host, now);
      const snapshot = lca.agent.snapshot();
      epochs.set(host, snapshot.epoch);
      const sessions = new Set(snapshot.scs.map((s) => s.scs));
      for (const id of SCS_IDS) {
        const key = `${host}|${id}`;
        if (!sessions.has(id)) this.sessionSince.delete(key);
        else if (!this.sessionSince.has(key)) this.sessionSince.set(key, now);
      }
    }
    return epochs;
  }

  /**
   * Since when each primary SCS run controls each host: it is connected to the host's LCA, which
   * follows its epoch, and the path between them is up.
   */
  private observeControl(now: number, views: ReadonlyMap<PairScsRun, StatusView>, lcaEpochs: ReadonlyMap<HostName, number>): void {
    const current = new Set<string>();
    for (const [run, { scs, hosts }] of views) {
      if (scs.role !== 'primary') continue;
      for (const host of HOSTS) {
        const controls = lcaEpochs.get(host) === scs.epoch && hosts.some((h) => h.name === host && h.connected) && this.world.pathUp(scsMachine(run.id), host);
        if (controls) current.add(`${run.run}|${host}|${scs.epoch}`);
      }
    }
    for (const key of [...this.controlSince.keys()]) if (!current.has(key)) this.controlSince.delete(key);
    for (const key of current) if (!this.controlSince.has(key)) this.controlSince.set(key, now);
  }

  /** (P1) Per epoch: at most one member of a pair acts as primary on the hosts its SCS has controlled for REJOIN_GRACE_MS. */
  private checkSinglePrimary(views?: ReadonlyMap<PairScsRun, StatusView>): void {
    const now = this.world.now();
    for (const run of this.world.upRuns()) {
      const { role, epoch } = (views?.get(run) ?? run.server.status()).scs;
      if (role !== 'primary') continue;
      const hosts = HOSTS.filter((h) => now - (this.controlSince.get(`${run.run}|${h}|${epoch}`) ?? now) >= REJOIN_GRACE_MS);
      for (const pair of PAIRS) {
        const acting = pair.members.flatMap((app) => this.world.processes(app))
          .filter((p) => hosts.includes(this.world.def(p.name).host) && !p.hung && !p.suspending && p.role === 'primary');
        if (acting.length > 1) {
          this.fail(`(P1) under epoch ${epoch} (${run.id}), pair ${pair.name} has ${acting.length} primaries on the hosts it controls: ${acting.map((p) => `${p.name}[${p.pid}]`).join(', ')}`);
        }
      }
    }
  }

  /** (P8) A pair with a started backup on a host the acting primary SCS controls gets a primary there in time. */
  private checkPrimaryCoverage(now: number): void {
    const acting = this.world.actingPrimary();
    const term = acting && this.terms.get(acting.run);
    if (!acting || !term || now - term.since < TIMING.startWindowMs) {
      this.outageSince.clear();
      return;
    }
    const epoch = acting.server.status().scs.epoch;
    const controlled = (app: string) => this.controlSince.has(`${acting.run}|${this.world.def(app).host}|${epoch}`);
    for (const pair of PAIRS) {
      const members = pair.members.flatMap((app) => this.world.processes(app));
      const covered = members.some((p) => !p.hung && p.role === 'primary' && controlled(p.name));
      const eligible = members.some((p) =>
        !p.hung && p.status === 'started' && p.registered && controlled(p.name) &&
        (pair.kind !== 'config-server' || this.world.factsOf(p).peer === 'down'));
      if (covered || !eligible) {
        this.outageSince.delete(pair.name);
        continue;
      }
      const since = this.outageSince.get(pair.name);
      if (since === undefined) this.outageSince.set(pair.name, now);
      else if (now - since > NO_PRIMARY_BOUND_MS) {
        this.fail(`(P8) pair ${pair.name} has had a started backup but no primary for ${now - since} ms under ${acting.id} (bound ${NO_PRIMARY_BOUND_MS} ms)`);
        this.outageSince.set(pair.name, now);
      }
    }
  }

  /** (P6) A backup whose peer is down and which reaches the LCA of the peer's host takes over in time. */
  private checkTakeover(now: number, views: ReadonlyMap<PairScsRun, StatusView>): void {
    for (const id of SCS_IDS) {
      const self = this.world.runs.get(id);
      const peer = peerOf(id);
      const host = SCS_HOST[peer];
      const lca = this.lcaUpSince.get(host);
      const path = this.world.pathUpSince(scsMachine(id), host);
      if (this.world.runs.get(peer)) this.peerDownSince.delete(id);
      else if (!this.peerDownSince.has(id)) this.peerDownSince.set(id, now);
      const down = this.peerDownSince.get(id);
      const role = self && views.get(self)?.scs.role;
      if (!self || role === 'primary' || down === undefined || lca === undefined || path === undefined) continue;
      const since = Math.max(down, lca, path, self.bootedAt);
      if (now - since > this.takeoverBound) {
        this.fail(`(P6) ${id} is still ${role} ${now - since} ms after its peer went down with the LCA of ${host} reachable (bound ${this.takeoverBound} ms)`);
        this.peerDownSince.set(id, now);
      }
    }
  }

  // ---- convergence (P5) ------------------------------------------------------------------------

  converged(): void {
    for (const problem of this.divergence()) this.fail(problem);
  }

  divergence(): string[] {
    const problems: string[] = [];
    const runs = this.world.upRuns();
    if (runs.length < 2) problems.push(`(P5) only ${runs.map((r) => r.id).join(', ') || 'no SCS'} runs after the faults stopped`);
    const primaries = runs.filter((r) => r.server.status().scs.role === 'primary');
    if (primaries.length !== 1) return [...problems, `(P5) ${primaries.length} primary SCSs: ${runs.map((r) => `${r.id}=${r.server.status().scs.role}`).join(', ')}`];
    const primary = primaries[0] as PairScsRun;
    const status = primary.server.status();
    for (const host of status.hosts) if (!host.connected) problems.push(`(P5) the primary SCS ${primary.id} is not connected to ${host.name}`);
    for (const host of HOSTS) {
      const epoch = this.world.lcas.get(host)?.agent.snapshot().epoch;
      if (epoch !== status.scs.epoch) problems.push(`(P5) the LCA of ${host} follows epoch ${epoch}, the primary SCS ${primary.id} epoch ${status.scs.epoch}`);
    }
    const flapping = this.terms.get(primary.run)?.flapping ?? new Set<string>();
    problems.push(...applicationDivergence(this.world, status, flapping));
    return problems;
  }

  /** (P5) Once converged, the backup serves the primary's journal: same events, same seqs. */
  async checkCaughtUp(): Promise<void> {
    const primary = this.world.actingPrimary();
    const backup = this.world.upRuns().find((r) => r !== primary);
    if (!primary || !backup) return;
    const all = async (run: PairScsRun) => {
      const events: JournalEvent[] = [];
      for (let batch = await run.server.events(0, MAX_SINCE_LIMIT); batch.length > 0; batch = await run.server.events(batch.at(-1)?.seq ?? 0, MAX_SINCE_LIMIT)) events.push(...batch);
      return events;
    };
    const [mine, theirs] = await Promise.all([all(primary), all(backup)]);
    const differs = mine.findIndex((e, i) => JSON.stringify(e) !== JSON.stringify(theirs[i]));
    if (differs >= 0 || theirs.length !== mine.length) {
      const at = differs >= 0 ? mine[differs]?.seq : Math.min(mine.length, theirs.length) + 1;
      this.fail(`(P5) the backup ${backup.id}'s journal is not the primary ${primary.id}'s: ${theirs.length} events against ${mine.length}, first difference at seq ${at}`);
    }
  }

  /**
   * After the faults stop: the acting primary still serves every event its subscribers saw in its
   * current term (what it published in an earlier term, before it yielded, it set aside).
   */
  async checkJournalRecovered(): Promise<void> {
    const acting = this.world.actingPrimary();
    if (!acting) return;
    const epoch = acting.server.status().scs.epoch;
    const mine = this.followed.filter((s) => s.run === acting.run && s.epoch === epoch);
    if (mine.length === 0) return;
    const events = await acting.server.events((mine[0] as SeenEvent).event.seq - 1, 10_000);
    const bySeq = new Map(events.map((e) => [e.seq, JSON.stringify(e)]));
    const changed = mine.filter((s) => bySeq.get(s.event.seq) !== JSON.stringify(s.event));
    if (changed.length > 0) this.fail(`(P4) ${acting.id} lost or changed ${changed.length} events its subscribers saw, first seq ${changed[0]?.event.seq}`);
  }
}
