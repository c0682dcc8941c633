// One simulated solution for the chaos harness (solution.ts): two hosts, each with a real
// LocalControlAgent (simulated processes, state in memory, served over in-memory links), and a
// real SolutionControlServer (http off, journal in memory). It knows the truth the invariants
// judge by, and every fault the scheduler injects is a method here. Every timer runs on the
// global sinon fake clock, which the caller installs before constructing it.

import type { Duplex } from 'node:stream';
import { type Logger, type Role, createLogger, silentLogger } from '@mlayer/common';
import { LocalControlAgent } from '@mlayer/lca';
import type { Facts } from '@mlayer/lca/app';
import { type JournalEvent, SolutionControlServer } from '@mlayer/scs/internal';
import { Lifetime } from './lifetime.js';
import { MemoryDisk } from './memory-disk.js';
import { type NetNode, Network } from './network.js';
import type { Prng } from './prng.js';
import { SimHost, type SimProcess } from './sim-host.js';
import { APPS, type AppDef, HOSTS, type HostName, JOURNAL_DIR, LCA_ADDRESS, SCS_MACHINE, SECRET, chaosSolution } from './solution.js';

/** A logger that does nothing at all (a silent winston logger still formats and streams each line). */
function quietLogger(): Logger {
  const quiet = Object.create(silentLogger) as Logger;
  const nothing = () => quiet;
  return Object.assign(quiet, { error: nothing, warn: nothing, info: nothing, debug: nothing, log: nothing, child: nothing });
}

interface LcaRun {
  readonly agent: LocalControlAgent;
  readonly node: NetNode;
  readonly clock: Lifetime;
  readonly control: { kill(): void };
}

interface ScsRun {
  readonly server: SolutionControlServer;
  readonly node: NetNode;
  readonly clock: Lifetime;
  readonly run: number;
  readonly bootedAt: number;
  readonly unsubscribe: () => void;
}

export interface WorldHooks {
  /** A simulated application was asked to take a role. */
  roleRequested(process: SimProcess, role: Role): void;
  /** A simulated application acknowledged a role (checked at once by the invariants). */
  roleAcked(process: SimProcess, role: Role): void;
  /** An SCS run published a journal event to its subscribers. */
  event(event: JournalEvent, run: number): void;
}

export interface WorldOptions {
  readonly rng: Prng;
  readonly logDir: string;
  /** Log at this level to stderr (replaying a failed seed); silent by default. */
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export class World {
  readonly network = new Network();
  readonly clock = new Lifetime();
  readonly solution = chaosSolution();
  readonly hosts = new Map<HostName, SimHost>();
  readonly lcas = new Map<HostName, LcaRun | undefined>();
  readonly lcaDisks = new Map<HostName, MemoryDisk>();
  readonly scsDisk = new MemoryDisk();
  readonly journalDir = JOURNAL_DIR;
  scs: ScsRun | undefined;
  /** A line per action, for the failure report. */
  readonly trace: string[] = [];
  private scsRuns = 0;
  private pid = 1000;
  protected readonly log: Logger;
  protected readonly rng: Prng;
  private hooks: WorldHooks = { roleRequested: () => undefined, roleAcked: () => undefined, event: () => undefined };

  constructor(protected readonly options: WorldOptions) {
    this.rng = options.rng;
    this.log = options.logLevel ? createLogger({ level: options.logLevel }) : quietLogger();
    for (const name of HOSTS) {
      this.hosts.set(name, new SimHost(name, {
        network: this.network,
        logger: this.log,
        random: this.rng.random,
        facts: (p) => this.factsOf(p),
        roleRequested: (p, role) => this.hooks.roleRequested(p, role),
        refusal: (p, role) => this.refusal(p, role),
        roleAcked: (p, role) => this.hooks.roleAcked(p, role),
        exited: (p) => this.note(`${p.name}[${p.pid}] exited (code ${p.exitCode}, signal ${p.exitSignal})`),
      }, () => ++this.pid));
      this.lcaDisks.set(name, new MemoryDisk());
      this.lcas.set(name, undefined);
    }
  }

  setHooks(hooks: WorldHooks): void {
    this.hooks = hooks;
  }

  async start(): Promise<void> {
    for (const host of HOSTS) await this.startLca(host);
    await this.startScs();
  }

  now(): number {
    return Date.now();
  }

  note(line: string): void {
    this.trace.push(`${String(this.now()).padStart(7)} ${line}`);
    if (this.trace.length > 400) this.trace.splice(0, this.trace.length - 400);
  }

  // ---- what the simulation knows (the truth) ----------------------------------------------

  def(app: string): AppDef {
    const found = APPS.find((a) => a.name === app);
    if (!found) throw new Error(`no app ${app}`);
    return found;
  }

  /** Every live process running `app` (normally at most one). */
  processes(app: string): SimProcess[] {
    return (this.hosts.get(this.def(app).host) as SimHost).live().filter((p) => p.name === app);
  }

  allProcesses(): SimProcess[] {
    return [...this.hosts.values()].flatMap((h) => h.live());
  }

  /** The other member of `app`'s pair, or undefined. */
  partnerOf(app: string): string | undefined {
    const def = this.def(app);
    if (def.pair === null) return undefined;
    return APPS.find((a) => a.pair === def.pair && a.name !== app)?.name;
  }

  /** A Config Server sees its peer while that one runs and answers (or when it is told to claim so). */
  factsOf(process: SimProcess): Facts {
    if (this.def(process.name).kind !== 'config-server') return {};
    const partner = this.partnerOf(process.name);
    const seesPeer = partner !== undefined && this.processes(partner).some((p) => !p.hung);
    return { peer: process.forcePeerUp || seesPeer ? 'up' : 'down', database: 'up' };
  }

  /**
   * Seed 003: "A Configuration Server in backup mode ignores the switchover command if it detects
   * another Configuration Server in primary mode" — checked when it is about to switch.
   */
  refusal(process: SimProcess, role: Role): string | undefined {
    if (role !== 'primary' || this.def(process.name).kind !== 'config-server' || this.factsOf(process).peer !== 'up') return undefined;
    const rival = this.processes(this.partnerOf(process.name) as string).find((p) => !p.hung && p.role === 'primary');
    return rival ? `${rival.name} is the primary Configuration Server: ignoring the switchover` : undefined;
  }

  lcaUp(host: HostName): boolean {
    return this.lcas.get(host) !== undefined;
  }

  /** No partition between the SCS machine and `host`, in either direction. */
  linked(host: HostName): boolean {
    return !this.network.isCut(SCS_MACHINE, host) && !this.network.isCut(host, SCS_MACHINE);
  }

  // ---- LCAs --------------------------------------------------------------------------------

  async startLca(host: HostName): Promise<void> {
    if (this.lcas.get(host)) return;
    const clock = new Lifetime();
    const node = this.network.node(`lca@${host}`, host);
    const control = (this.hosts.get(host) as SimHost).control();
    const disk = this.lcaDisks.get(host) as MemoryDisk;
    const agent = new LocalControlAgent({
      listen: LCA_ADDRESS[host],
      name: host,
      secret: SECRET,
      stateDir: `/chaos/lca-${host}`,
      logDir: this.options.logDir,
      logger: this.log,
      clock,
      processes: control,
      bind: false,
      store: disk.lcaStore(`/chaos/lca-${host}`),
      defaultMetrics: false,
    });
    await agent.start();
    this.network.listen(`${LCA_ADDRESS[host].host}:${LCA_ADDRESS[host].port}`, node, (socket: Duplex) => agent.acceptSocket(socket));
    this.lcas.set(host, { agent, node, clock, control });
    this.note(`LCA ${host} started`);
  }

  /** The LCA process dies: its links close, its timers stop; the applications keep running. */
  async crashLca(host: HostName): Promise<void> {
    const run = this.lcas.get(host);
    if (!run) return;
    this.lcas.set(host, undefined);
    this.note(`LCA ${host} crashed`);
    run.control.kill();
    (this.lcaDisks.get(host) as MemoryDisk).crash();
    run.clock.kill();
    this.network.kill(run.node);
    await run.agent.stop(); // only clears what a dead process holds (its interval, its listener)
  }

  // ---- the SCS -----------------------------------------------------------------------------

  async startScs(): Promise<void> {
    if (this.scs) return;
    const run = ++this.scsRuns;
    const clock = new Lifetime();
    const node = this.network.node(`scs#${run}`, SCS_MACHINE);
    const server = new SolutionControlServer(this.solution, {
      logger: this.log,
      clock,
      connect: this.network.connectFrom(node),
      random: this.rng.random,
      http: false,
      journalFs: this.scsDisk.journalFs(),
      epochStore: this.scsDisk.epochStore(),
      defaultMetrics: false,
    });
    const unsubscribe = server.subscribe((event) => this.hooks.event(event, run));
    this.scs = { server, node, clock, run, bootedAt: this.now(), unsubscribe };
    this.note(`SCS run ${run} starting`);
    await server.boot();
  }

  /** The SCS process dies: unsynced journal bytes are lost (a torn tail may survive). */
  async crashScs(): Promise<void> {
    const run = this.scs;
    if (!run) return;
    this.scs = undefined;
    this.note(`SCS run ${run.run} crashed`);
    this.scsDisk.crash((unsynced) => (this.rng.chance(0.5) ? 0 : this.rng.int(0, unsynced)));
    run.clock.kill();
    this.network.kill(run.node);
    run.unsubscribe();
    // Let the dead links be seen as dead, then drop what the dead process held in memory (its
    // state machines); with its disk and sockets gone, nothing of this reaches the world.
    await new Promise((resolve) => setImmediate(resolve));
    await run.server.shutdown().catch(() => undefined);
  }

  // ---- application faults --------------------------------------------------------------------

  crashApp(process: SimProcess): void {
    this.note(`${process.name}[${process.pid}] crashes`);
    process.exit(1, null);
    this.refreshFacts();
  }

  hangApp(process: SimProcess, ms: number): void {
    this.note(`${process.name}[${process.pid}] hangs for ${ms} ms`);
    process.hang();
    this.refreshFacts();
    this.clock.setTimeout(() => {
      if (!process.alive || !process.hung) return;
      this.note(`${process.name}[${process.pid}] unhangs`);
      process.unhang();
      this.refreshFacts();
    }, ms);
  }

  slowAcks(process: SimProcess, ackMs: number, forMs: number): void {
    this.note(`${process.name}[${process.pid}] acknowledges roles after ${ackMs} ms for ${forMs} ms`);
    process.slowAckMs = ackMs;
    this.clock.setTimeout(() => {
      process.slowAckMs = 0;
    }, forMs);
  }

  claimPeerUp(process: SimProcess, forMs: number): void {
    this.note(`${process.name}[${process.pid}] reports peer=up for ${forMs} ms`);
    process.forcePeerUp = true;
    process.refreshFacts();
    this.clock.setTimeout(() => {
      process.forcePeerUp = false;
      process.refreshFacts();
    }, forMs);
  }

  serviceUnavailable(process: SimProcess, unavailable: boolean): void {
    this.note(`${process.name}[${process.pid}] reports ${unavailable ? 'service-unavailable' : 'started'}`);
    process.report(unavailable ? 'service-unavailable' : 'started');
  }

  /** An operator restarts `app` (its answer may take simulated time: the scheduler does not wait). */
  operatorRestart(app: string): void {
    const server = this.scs?.server;
    if (!server) return;
    this.note(`operator restarts ${app}`);
    void server.restart(app).then(
      (result) => this.note(`operator restart ${app}: ${result.accepted ? 'accepted' : result.code}`),
      (error: unknown) => this.note(`operator restart ${app} failed: ${String(error)}`),
    );
  }

  /** Config Servers tell their LCA when what they see of their peer changes. */
  refreshFacts(): void {
    for (const p of this.allProcesses()) p.refreshFacts();
  }

  // ---- the network -------------------------------------------------------------------------

  partition(host: HostName, direction: 'to-host' | 'from-host' | 'both'): void {
    this.note(`partition SCS ${direction === 'both' ? '<->' : direction === 'to-host' ? '->' : '<-'} ${host}`);
    if (direction !== 'from-host') this.network.cut(SCS_MACHINE, host);
    if (direction !== 'to-host') this.network.cut(host, SCS_MACHINE);
  }

  heal(host: HostName): void {
    this.note(`heal SCS <-> ${host}`);
    this.network.mend(SCS_MACHINE, host);
    this.network.mend(host, SCS_MACHINE);
  }

  // ---- end of a run --------------------------------------------------------------------------

  /** Faults stop: heal everything, unhang, restore normal behaviour, restart what is down. */
  async calm(): Promise<void> {
    this.note('faults stop');
    this.network.mendAll();
    for (const p of this.allProcesses()) {
      p.unhang();
      p.slowAckMs = 0;
      p.forcePeerUp = false;
      if (p.status === 'service-unavailable') p.report('started');
    }
    this.refreshFacts();
    for (const host of HOSTS) await this.startLca(host);
    await this.startScs();
  }

  /** Stops everything; afterwards no timer of the world is left. */
  async stop(tick: (ms: number) => Promise<unknown>): Promise<void> {
    this.network.mendAll();
    for (const p of this.allProcesses()) p.unhang();
    const scs = this.scs;
    this.scs = undefined;
    if (scs) {
      scs.unsubscribe();
      const done = scs.server.shutdown();
      await tick(2000);
      await done;
      scs.clock.kill();
      this.network.kill(scs.node);
    }
    for (const host of HOSTS) {
      const run = this.lcas.get(host);
      if (!run) continue;
      this.lcas.set(host, undefined);
      run.control.kill();
      const done = run.agent.stop();
      await tick(2000);
      await done;
      run.clock.kill();
      this.network.kill(run.node);
    }
    for (const p of this.allProcesses()) p.exit(null, 'SIGKILL');
    this.clock.kill();
    await tick(2000);
  }
}
