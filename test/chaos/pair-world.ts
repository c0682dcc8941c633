// The simulated solution with an SCS pair (pair-solution.ts): the hosts, LCAs and applications of
// world.ts, and two real SolutionControlServers, each with its own disk (journal and epoch), its
// peer link served over the in-memory network. Adds the pair's faults: an SCS crash or restart,
// the direct SCS <-> SCS link cut one way or both, an SCS cut from the other host's LCA, and a
// partition between the two hosts. It remembers when each path between two machines last
// changed, for the invariants' time bounds.

import type { Duplex } from 'node:stream';
import { type JournalEvent, SolutionControlServer } from '@mlayer/scs/internal';
import { Lifetime } from './lifetime.js';
import { MemoryDisk } from './memory-disk.js';
import type { NetNode } from './network.js';
import { PEER_ADDRESS, type PairTiming, SCS_IDS, type ScsId, pairSolution, scsMachine } from './pair-solution.js';
import { HOSTS, type HostName } from './solution.js';
import { World, type WorldOptions } from './world.js';

export interface PairScsRun {
  readonly id: ScsId;
  readonly server: SolutionControlServer;
  readonly node: NetNode;
  readonly clock: Lifetime;
  readonly run: number;
  readonly bootedAt: number;
}

export interface PairHooks {
  /** An SCS run published a journal event to its subscribers. */
  event(id: ScsId, run: number, event: JournalEvent): void;
}

export interface PairWorldOptions extends WorldOptions {
  readonly timing: PairTiming;
}

/** Every machine: each host's LCA and applications, and its SCS. */
const MACHINES = [...HOSTS, ...SCS_IDS.map(scsMachine)];
const zone = (host: HostName): string[] => [host, `${host}/scs`];

/** A fault on the network: which one-way machine paths it holds. */
export type CutKind = 'direct' | 'hosts' | 'scs-lca';

export class PairWorld extends World {
  readonly runs = new Map<ScsId, PairScsRun | undefined>(SCS_IDS.map((id) => [id, undefined]));
  readonly disks = new Map<ScsId, MemoryDisk>(SCS_IDS.map((id) => [id, new MemoryDisk()]));
  /** Active one-way cuts by label, with the machine paths each holds. */
  readonly cuts = new Map<string, ReadonlyArray<readonly [string, string]>>();
  private readonly pathChangedAt = new Map<string, number>();
  private pairRuns = 0;
  private pairHooks: PairHooks = { event: () => undefined };
  private readonly unsubscribes = new Map<number, () => void>();

  constructor(private readonly pairOptions: PairWorldOptions) {
    super(pairOptions);
  }

  setPairHooks(hooks: PairHooks): void {
    this.pairHooks = hooks;
  }

  scsUp(id: ScsId): boolean {
    return this.runs.get(id) !== undefined;
  }

  upRuns(): PairScsRun[] {
    return SCS_IDS.map((id) => this.runs.get(id)).filter((r): r is PairScsRun => r !== undefined);
  }

  // ---- the SCSs --------------------------------------------------------------------------------

  /** Starts `id`, or every SCS that is down. */
  override async startScs(id?: ScsId): Promise<void> {
    for (const which of id ? [id] : SCS_IDS) {
      if (this.runs.get(which)) continue;
      const run = ++this.pairRuns;
      const clock = new Lifetime();
      const node = this.network.node(`${which}#${run}`, scsMachine(which));
      const disk = this.disks.get(which) as MemoryDisk;
      const server = new SolutionControlServer(pairSolution(which, this.pairOptions.timing), {
        logger: this.log.child({ scs: which }),
        clock,
        connect: this.network.connectFrom(node),
        random: this.rng.random,
        http: false,
        listenPeer: false,
        journalFs: disk.journalFs(),
        epochStore: disk.epochStore(),
        defaultMetrics: false,
      });
      this.unsubscribes.set(run, server.subscribe((event) => this.pairHooks.event(which, run, event)));
      this.runs.set(which, { id: which, server, node, clock, run, bootedAt: this.now() });
      this.note(`${which} run ${run} starting`);
      await server.boot();
      if (this.runs.get(which)?.run !== run) continue; // crashed while booting
      const { host, port } = PEER_ADDRESS[which];
      this.network.listen(`${host}:${port}`, node, (socket: Duplex) => server.acceptPeerSocket(socket));
    }
  }

  /** The SCS process dies: its links close, unsynced journal bytes are lost (a torn tail may survive). */
  override async crashScs(id?: ScsId): Promise<void> {
    const run = this.runs.get(id ?? 'scs-a');
    if (!run) return;
    this.runs.set(run.id, undefined);
    this.note(`${run.id} run ${run.run} crashed`);
    (this.disks.get(run.id) as MemoryDisk).crash((unsynced) => (this.rng.chance(0.5) ? 0 : this.rng.int(0, unsynced)));
    run.clock.kill();
    this.network.kill(run.node);
    this.unsubscribes.get(run.run)?.();
    this.unsubscribes.delete(run.run);
    await new Promise((resolve) => setImmediate(resolve));
    await run.server.shutdown().catch(() => undefined);
  }

  /** The primary SCS with the highest epoch (the one operators and subscribers follow), if any. */
  actingPrimary(): PairScsRun | undefined {
    let best: { run: PairScsRun; epoch: number } | undefined;
    for (const run of this.upRuns()) {
      const { role, epoch } = run.server.status().scs;
      if (role === 'primary' && (best === undefined || epoch > best.epoch)) best = { run, epoch };
    }
    return best?.run;
  }

  override operatorRestart(app: string): void {
    const acting = this.actingPrimary();
    if (!acting) return;
    this.note(`operator restarts ${app} on ${acting.id}`);
    void acting.server.restart(app).then(
      (result) => this.note(`operator restart ${app}: ${result.accepted ? 'accepted' : result.code}`),
      (error: unknown) => this.note(`operator restart ${app} failed: ${String(error)}`),
    );
  }

  // ---- the network -----------------------------------------------------------------------------

  /**
   * Holds traffic one way: `direct` from the SCS of `from` to the SCS of `to`; `hosts` from every
   * machine of host `from` to every machine of host `to`; `scs-lca` from the SCS of `from` to
   * the LCA of `to` (and `reverse` the other way).
   */
  cut(kind: CutKind, from: HostName, to: HostName, reverse = false): string {
    const paths: Array<readonly [string, string]> =
      kind === 'direct' ? [[`${from}/scs`, `${to}/scs`]]
      : kind === 'hosts' ? zone(from).flatMap((a) => zone(to).map((b) => [a, b] as const))
      : [reverse ? [to, `${from}/scs`] : [`${from}/scs`, to]];
    const label = kind === 'scs-lca' ? `scs-lca ${reverse ? `${to}>${from}/scs` : `${from}/scs>${to}`}` : `${kind} ${from}>${to}`;
    if (this.cuts.has(label)) return label;
    this.note(`cut ${label}`);
    this.cuts.set(label, paths);
    this.applyCuts();
    return label;
  }

  healCut(label: string): void {
    if (!this.cuts.delete(label)) return;
    this.note(`heal ${label}`);
    this.applyCuts();
  }

  /** No cut between the two machines, either way. */
  pathUp(a: string, b: string): boolean {
    return !this.network.isCut(a, b) && !this.network.isCut(b, a);
  }

  /** Since when the path between two machines has been up both ways (undefined: it is cut). */
  pathUpSince(a: string, b: string): number | undefined {
    if (!this.pathUp(a, b)) return undefined;
    return Math.max(this.pathChangedAt.get(`${a}>${b}`) ?? 0, this.pathChangedAt.get(`${b}>${a}`) ?? 0);
  }

  private applyCuts(): void {
    const wanted = new Set([...this.cuts.values()].flatMap((paths) => paths.map(([a, b]) => `${a}>${b}`)));
    for (const a of MACHINES) {
      for (const b of MACHINES) {
        if (a === b || wanted.has(`${a}>${b}`) === this.network.isCut(a, b)) continue;
        this.pathChangedAt.set(`${a}>${b}`, this.now());
        if (wanted.has(`${a}>${b}`)) this.network.cut(a, b);
        else this.network.mend(a, b);
      }
    }
  }

  // ---- end of a run ----------------------------------------------------------------------------

  override async calm(): Promise<void> {
    this.cuts.clear();
    this.applyCuts();
    await super.calm();
  }

  override async stop(tick: (ms: number) => Promise<unknown>): Promise<void> {
    this.cuts.clear();
    this.applyCuts();
    for (const id of SCS_IDS) {
      const run = this.runs.get(id);
      if (!run) continue;
      this.runs.set(id, undefined);
      this.unsubscribes.get(run.run)?.();
      const done = run.server.shutdown();
      await tick(2000);
      await done;
      run.clock.kill();
      this.network.kill(run.node);
    }
    await super.stop(tick);
  }
}
