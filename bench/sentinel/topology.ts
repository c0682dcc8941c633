// A Redis Sentinel topology on loopback: one master, one replica and three sentinels (quorum 2),
// each a real `redis-server` / `redis-sentinel` process with its own directory, config and log,
// on free ports, in the foreground (daemonize no) so that it is this process's child. One crash
// failover: kill -9 the master, then ask the replica `ROLE` every few ms until it says master.
// Every process is SIGKILLed when the topology stops (and, as a last resort, when the runner exits).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/support/daemons.js';
import { ProcessGroups } from '../lib/process-groups.js';
import { makeTempDir, removeTempDir } from '../lib/temp-dirs.js';
import { RespClient, type RespValue, fields } from './resp.js';

export const MASTER_NAME = 'mymaster';
const START_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 2_000;
const POLL_MS = 5;
const SETTLE_POLL_MS = 50;

export interface SentinelSettings {
  /** `sentinel down-after-milliseconds`; undefined = Redis's default (30 s). */
  readonly downAfterMs: number | undefined;
  readonly failoverTimeoutMs: number;
  readonly parallelSyncs: number;
  readonly quorum: number;
}

/** The Redis binaries on PATH, or why they are not usable. */
export function redisBinaries(): { readonly server: string; readonly sentinel: string } | { readonly missing: string } {
  for (const binary of ['redis-server', 'redis-sentinel']) {
    try {
      execFileSync(binary, ['--version'], { stdio: 'ignore' });
    } catch {
      return { missing: `${binary} not found on PATH (install with scripts/install-redis.sh)` };
    }
  }
  return { server: 'redis-server', sentinel: 'redis-sentinel' };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class RedisProcess {
  readonly exited: Promise<unknown>;

  constructor(readonly name: string, readonly port: number, readonly child: ChildProcess) {
    this.exited = once(child, 'exit');
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
}

export class SentinelTopology {
  readonly dir = makeTempDir('mlayer-bench-sentinel-');
  private readonly processes: RedisProcess[] = [];
  private readonly tracked = new ProcessGroups();
  private master: RedisProcess | undefined;
  private replica: RedisProcess | undefined;
  private readonly sentinels: RedisProcess[] = [];

  constructor(private readonly binaries: { readonly server: string; readonly sentinel: string }, readonly settings: SentinelSettings) {}

  private spawn(name: string, binary: string, port: number, lines: readonly string[]): RedisProcess {
    const dir = join(this.dir, name);
    mkdirSync(dir);
    const config = join(dir, `${name}.conf`);
    writeFileSync(config, [`port ${port}`, 'bind 127.0.0.1', 'daemonize no', `dir ${dir}`, `logfile ${join(dir, `${name}.log`)}`, ...lines, ''].join('\n'));
    const child = spawn(binary, [config], { cwd: dir, stdio: 'ignore' });
    if (child.pid === undefined) throw new Error(`cannot start ${binary}`);
    const redis = new RedisProcess(name, port, child);
    this.tracked.add(redis.pid, { group: false });
    this.processes.push(redis);
    return redis;
  }

  async start(): Promise<void> {
    const [masterPort, replicaPort, ...sentinelPorts] = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    const data = ['save ""', 'appendonly no', 'repl-diskless-sync-delay 0'];
    this.master = this.spawn('master', this.binaries.server, masterPort as number, data);
    this.replica = this.spawn('replica', this.binaries.server, replicaPort as number, [...data, `replicaof 127.0.0.1 ${masterPort}`]);
    // Sentinels started after the replica is in sync see it in their first INFO of the master,
    // rather than at the next one, 10 s later.
    await this.replicaInSync(START_TIMEOUT_MS);
    const s = this.settings;
    sentinelPorts.forEach((port, i) => {
      this.sentinels.push(this.spawn(`sentinel-${i + 1}`, this.binaries.sentinel, port, [
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} ${s.quorum}`,
        ...(s.downAfterMs === undefined ? [] : [`sentinel down-after-milliseconds ${MASTER_NAME} ${s.downAfterMs}`]),
        `sentinel failover-timeout ${MASTER_NAME} ${s.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${MASTER_NAME} ${s.parallelSyncs}`,
      ]));
    });
    for (const redis of this.processes) await this.ask(redis, ['PING'], START_TIMEOUT_MS);
  }

  private async replicaInSync(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const replica = this.replica as RedisProcess;
    for (;;) {
      const role = await this.ask(replica, ['ROLE'], timeoutMs);
      if (Array.isArray(role) && role[0] === 'slave' && Number(role[2]) === this.master?.port && role[3] === 'connected') return;
      if (performance.now() > deadline) throw new Error(`the replica did not sync with the master within ${timeoutMs} ms: ROLE ${JSON.stringify(role)}`);
      await sleep(SETTLE_POLL_MS);
    }
  }

  /** One command on a fresh connection, retried until it is answered or `timeoutMs` passes. */
  private async ask(redis: RedisProcess, args: readonly string[], timeoutMs: number): Promise<RespValue> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (!redis.alive) throw new Error(`${redis.name} (port ${redis.port}) exited; see ${join(this.dir, redis.name, `${redis.name}.log`)}`);
      let client: RespClient | undefined;
      try {
        client = await RespClient.connect(redis.port, REQUEST_TIMEOUT_MS);
        return await client.command(args, REQUEST_TIMEOUT_MS);
      } catch (error) {
        if (performance.now() > deadline) throw error;
        await sleep(SETTLE_POLL_MS);
      } finally {
        client?.close();
      }
    }
  }

  /**
   * Until the replica is in sync and every sentinel monitors the master with quorum, knows the
   * replica (healthy) and the two other sentinels; resolves with the time it took.
   */
  async settle(timeoutMs: number): Promise<number> {
    const started = performance.now();
    const deadline = started + timeoutMs;
    const replica = this.replica as RedisProcess;
    const master = this.master as RedisProcess;
    let last = '';
    while (performance.now() < deadline) {
      const role = await this.ask(replica, ['ROLE'], REQUEST_TIMEOUT_MS);
      const synced = Array.isArray(role) && role[0] === 'slave' && Number(role[2]) === master.port && role[3] === 'connected';
      const views = await Promise.all(this.sentinels.map(async (sentinel) => {
        const m = fields(await this.ask(sentinel, ['SENTINEL', 'MASTER', MASTER_NAME], REQUEST_TIMEOUT_MS));
        const replicas = await this.ask(sentinel, ['SENTINEL', 'REPLICAS', MASTER_NAME], REQUEST_TIMEOUT_MS);
        const replicaFlags = Array.isArray(replicas) && replicas.length === 1 ? fields(replicas[0] as RespValue).flags : undefined;
        return { flags: m.flags, replicas: m['num-slaves'], others: m['num-other-sentinels'], replicaFlags };
      }));
      const ready = views.every((v) => v.flags === 'master' && v.replicas === '1' && v.others === String(this.sentinels.length - 1) && v.replicaFlags === 'slave');
      if (synced && ready) return performance.now() - started;
      last = `replica ROLE ${JSON.stringify(role)}; sentinels ${JSON.stringify(views)}`;
      await sleep(SETTLE_POLL_MS * 4);
    }
    throw new Error(`the Sentinel topology did not settle within ${timeoutMs} ms: ${last}`);
  }

  /**
   * kill -9 of the master; resolves with the milliseconds until the replica first answers `ROLE`
   * with master (asked every 5 ms), how many times it was asked, and how often the connection was
   * dropped: Sentinel's promotion ends with CLIENT KILL TYPE normal on the replica, so the polling
   * connection is cut as the replica becomes master and is opened again at once.
   */
  async crashMaster(timeoutMs: number): Promise<{ promotedMs: number; polls: number; reconnects: number }> {
    const replica = this.replica as RedisProcess;
    let client = await RespClient.connect(replica.port, REQUEST_TIMEOUT_MS);
    let reconnects = 0;
    try {
      const before = await client.command(['ROLE'], REQUEST_TIMEOUT_MS);
      if (!Array.isArray(before) || before[0] !== 'slave') throw new Error(`the replica is not a replica before the kill: ${JSON.stringify(before)}`);
      const killedAt = performance.now();
      (this.master as RedisProcess).child.kill('SIGKILL');
      let polls = 0;
      while (performance.now() - killedAt < timeoutMs) {
        let role: RespValue;
        try {
          role = await client.command(['ROLE'], REQUEST_TIMEOUT_MS);
        } catch (error) {
          if (!replica.alive) throw error;
          client.close();
          client = await RespClient.connect(replica.port, REQUEST_TIMEOUT_MS);
          reconnects += 1;
          continue;
        }
        polls += 1;
        if (Array.isArray(role) && role[0] === 'master') return { promotedMs: performance.now() - killedAt, polls, reconnects };
        await sleep(POLL_MS);
      }
      throw new Error(`the replica was not promoted within ${timeoutMs} ms of the kill`);
    } finally {
      client.close();
    }
  }

  async stop(): Promise<void> {
    try {
      await Promise.all(this.processes.map((p) => p.kill()));
      for (const p of this.processes) this.tracked.forget(p.pid);
    } finally {
      this.tracked.killAll();
      removeTempDir(this.dir);
    }
  }
}

/** Runs `body` against a freshly started topology; afterwards all its processes are gone. */
export async function withSentinelTopology<T>(binaries: { readonly server: string; readonly sentinel: string }, settings: SentinelSettings,
  body: (topology: SentinelTopology) => Promise<T>): Promise<T> {
  const topology = new SentinelTopology(binaries, settings);
  try {
    await topology.start();
    return await body(topology);
  } finally {
    await topology.stop();
  }
}
