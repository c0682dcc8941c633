// Crash detection: the time from SIGKILL of a peer process to its ADDP Connection's `lost` event,
// against a bare TCP socket to the same process, closed by the same kernel exit: the physical
// limit, measured for the same kill. One AddpServer and one bare server serve every run; each run
// spawns a fresh peer (bench/fixtures/addp-crash-peer.mjs). The kernel closes the dead peer's
// sockets one after the other (a few hundred µs apart here) and which one this side sees first
// depends on the order the peer opened them, so runs alternate that order: otherwise the order,
// not ADDP, would decide the ratio.

import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { AddpServer, type Connection, type LostReason } from '@mlayer/addp';
import { type ChildProcesses, type NodeChild, withChildProcesses } from '../lib/child-processes.js';
import { withDeadline } from '../lib/deadline.js';
import type { Measurement } from '../lib/measurement.js';
import { type Distribution, summarize } from '../lib/stats.js';

const PEER_SCRIPT = fileURLToPath(new URL('../fixtures/addp-crash-peer.mjs', import.meta.url));
const WARMUP_RUNS = 3;
const RUNS = 50;
const RATIO_TARGET = 1.2;
const PEER_START_TIMEOUT_MS = 10_000;
const DETECTION_TIMEOUT_MS = 5_000;

type OpenOrder = 'addp-first' | 'bare-first';

interface Peer {
  readonly link: Connection;
  readonly socket: net.Socket;
}

/** Milliseconds from the kill to each observation. */
interface KillTiming {
  readonly addpLost: number;
  /** The bare socket's first sign: 'end' (FIN), 'error' (RST) or 'close'. */
  readonly bareFirst: number;
  readonly bareClose: number;
  readonly exit: number;
  readonly reason: LostReason;
  readonly order: OpenOrder;
}

function authPid(auth: unknown): number | undefined {
  const pid = typeof auth === 'object' && auth !== null ? (auth as { pid?: unknown }).pid : undefined;
  return typeof pid === 'number' ? pid : undefined;
}

/** The two listening ends every peer connects to, and the pairing of their connections by pid. */
class PeerServers {
  // A realistic link: the server monitors the peer, so a keep-alive is armed during each run.
  readonly addp = new AddpServer({ settings: { timeoutMs: 10_000, remoteTimeoutMs: 0, trace: 'off' } });
  readonly bare = net.createServer();

  async listen(): Promise<[addpPort: number, barePort: number]> {
    const { port: addpPort } = await this.addp.listen(0);
    await new Promise<void>((resolve, reject) => {
      this.bare.once('error', reject);
      this.bare.listen(0, '127.0.0.1', () => {
        this.bare.off('error', reject);
        resolve();
      });
    });
    return [addpPort, (this.bare.address() as net.AddressInfo).port];
  }

  /** Resolves with the ADDP link and the bare socket of process `pid` once both are in. */
  peer(pid: number): Promise<Peer> {
    return new Promise((resolve) => {
      let link: Connection | undefined;
      let socket: net.Socket | undefined;
      const complete = () => {
        if (link === undefined || socket === undefined) return;
        this.addp.off('connection', onLink);
        this.bare.off('connection', onSocket);
        resolve({ link, socket });
      };
      const onLink = (connection: Connection) => {
        if (authPid(connection.peer?.auth) !== pid) return;
        link = connection;
        complete();
      };
      const onSocket = (candidate: net.Socket) => {
        candidate.setNoDelay(true);
        candidate.on('error', () => undefined); // a reset is a close here; timed by the run
        let line = '';
        const onData = (chunk: Buffer) => {
          line += chunk.toString('latin1');
          if (!line.includes('\n')) return;
          candidate.off('data', onData);
          candidate.resume(); // keep reading, or the FIN of the kill would never surface as 'end'
          if (Number(line.trim()) !== pid) return void candidate.destroy();
          socket = candidate;
          complete();
        };
        candidate.on('data', onData);
      };
      this.addp.on('connection', onLink);
      this.bare.on('connection', onSocket);
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.addp.close(), new Promise<void>((resolve) => this.bare.close(() => resolve()))]);
  }
}

async function killAndTime(child: NodeChild, peer: Peer, order: OpenOrder): Promise<KillTiming> {
  if (peer.link.state !== 'open') throw new Error(`ADDP link to peer ${child.pid} is ${peer.link.state} before the kill`);
  const at = { addpLost: NaN, bareFirst: NaN, bareClose: NaN, exit: NaN };
  let reason: LostReason = 'error';
  const lost = new Promise<void>((resolve) =>
    peer.link.once('lost', (info) => {
      at.addpLost = performance.now();
      reason = info.reason;
      resolve();
    }),
  );
  const bareFirst = () => {
    if (Number.isNaN(at.bareFirst)) at.bareFirst = performance.now();
  };
  peer.socket.once('end', bareFirst);
  peer.socket.once('error', bareFirst);
  const bareClosed = new Promise<void>((resolve) =>
    peer.socket.once('close', () => {
      at.bareClose = performance.now();
      bareFirst();
      resolve();
    }),
  );
  child.process.once('exit', () => {
    at.exit = performance.now();
  });

  const killedAt = performance.now();
  process.kill(child.pid, 'SIGKILL');
  await withDeadline(Promise.all([lost, bareClosed, child.exited]), DETECTION_TIMEOUT_MS,
    `peer ${child.pid} was killed but not every close was observed (ADDP lost: ${!Number.isNaN(at.addpLost)}, bare close: ${!Number.isNaN(at.bareClose)})`);
  return {
    addpLost: at.addpLost - killedAt,
    bareFirst: at.bareFirst - killedAt,
    bareClose: at.bareClose - killedAt,
    exit: at.exit - killedAt,
    reason,
    order,
  };
}

async function runOnce(children: ChildProcesses, servers: PeerServers, ports: readonly number[], order: OpenOrder): Promise<KillTiming> {
  const child = children.spawnNode(PEER_SCRIPT, [...ports.map(String), order]);
  const peer = servers.peer(child.pid);
  await withDeadline(Promise.all([peer, child.waitForLine('ready', PEER_START_TIMEOUT_MS)]), PEER_START_TIMEOUT_MS,
    `crash peer ${child.pid} did not connect; stderr: ${child.stderr.trim()}`);
  // Let the peer's last handshake bytes settle so that the kill meets an idle link.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return killAndTime(child, await peer, order);
}

function detectionRow(which: 'p50' | 'p99', addp: Distribution, bare: Distribution, note?: string): Measurement {
  return {
    name: `crash → ADDP lost ${which}`,
    value: addp[which],
    unit: 'ms',
    target: { of: 'ratio', op: '<=', threshold: RATIO_TARGET },
    limit: { value: bare[which], source: "kill → first event ('end'/'error'/'close') on a bare TCP socket to the same process", distribution: bare },
    distribution: addp,
    ...(note === undefined ? {} : { note }),
  };
}

export async function measureCrashDetection(progress: (message: string) => void): Promise<Measurement[]> {
  const servers = new PeerServers();
  try {
    const ports = await servers.listen();
    const timings = await withChildProcesses(async (children) => {
      const all: KillTiming[] = [];
      for (let run = 0; run < WARMUP_RUNS + RUNS; run += 1) {
        if (run % 10 === 0) progress(`crash detection: kill ${run + 1}-${Math.min(run + 10, WARMUP_RUNS + RUNS)} of ${WARMUP_RUNS + RUNS}`);
        all.push(await runOnce(children, servers, ports, run % 2 === 0 ? 'addp-first' : 'bare-first'));
      }
      return all.slice(WARMUP_RUNS);
    });
    const reasons = new Map<LostReason, number>();
    for (const t of timings) reasons.set(t.reason, (reasons.get(t.reason) ?? 0) + 1);
    const addp = summarize(timings.map((t) => t.addpLost));
    const bare = summarize(timings.map((t) => t.bareFirst));
    const bareClose = summarize(timings.map((t) => t.bareClose));
    const exit = summarize(timings.map((t) => t.exit));
    const reasonText = [...reasons].map(([reason, n]) => `${reason} ×${n}`).join(', ');
    const lag = (order: OpenOrder) => summarize(timings.filter((t) => t.order === order).map((t) => (t.addpLost - t.bareFirst) * 1000)).p50;
    const note = `${timings.length} kills, one fresh peer each; lost reasons: ${reasonText}; ADDP − bare per kill, p50: `
      + `${lag('addp-first').toFixed(0)} µs when the peer opened ADDP first, ${lag('bare-first').toFixed(0)} µs when it opened the bare socket first`;
    return [
      detectionRow('p50', addp, bare, note),
      detectionRow('p99', addp, bare),
      { name: "crash → bare socket 'close' p50", value: bareClose.p50, unit: 'ms', distribution: bareClose },
      { name: 'crash → child exit seen p50', value: exit.p50, unit: 'ms', distribution: exit, note: "the runner's 'exit' event of the killed child (SIGCHLD)" },
    ];
  } finally {
    await servers.close();
  }
}
