// Connections to the demo application's line protocol (CONTRACT.md section 9) that stamp what
// they see: every line is timed when its chunk arrives (before any parsing), and a bare socket
// times its first sign of the peer's death, the physical limit of a failover benchmark.

import net from 'node:net';
import { once } from 'node:events';
import { withDeadline } from '../lib/deadline.js';

const CONNECT_TIMEOUT_MS = 5_000;

export interface TimedLine {
  readonly text: string;
  /** performance.now() when the chunk holding the line arrived. */
  readonly at: number;
}

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined); // a reset ends the stream; callers time 'close'
  await withDeadline(once(socket, 'connect'), CONNECT_TIMEOUT_MS, `cannot connect to the demo app on ${port}`);
  socket.setNoDelay(true);
  return socket;
}

/** A line-protocol connection: sends requests, keeps every answer line with its arrival time. */
export class LineClient {
  private readonly lines: TimedLine[] = [];
  private partial = '';
  private readonly waiters = new Set<() => void>();

  private constructor(readonly port: number, private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      const parts = (this.partial + chunk.toString('latin1')).split('\n');
      this.partial = parts.pop() ?? '';
      for (const text of parts) this.lines.push({ text: text.replace(/\r$/, ''), at });
      for (const wake of this.waiters) wake();
    });
    socket.on('close', () => {
      for (const wake of this.waiters) wake();
    });
  }

  static async open(port: number): Promise<LineClient> {
    return new LineClient(port, await connect(port));
  }

  /** `WATCH`, answered with the current role first: resolves with that role. */
  static async watch(port: number, timeoutMs: number): Promise<{ client: LineClient; role: string }> {
    const client = await LineClient.open(port);
    const first = await client.request('WATCH', (text) => text.startsWith('role '), timeoutMs);
    return { client, role: first.text.slice('role '.length) };
  }

  /** A position in the stream: later waits only see lines that arrive after it. */
  mark(): number {
    return this.lines.length;
  }

  /** performance.now() just after the request was handed to the kernel. */
  send(line: string): number {
    this.socket.write(`${line}\n`);
    return performance.now();
  }

  async request(line: string, match: (text: string) => boolean, timeoutMs: number): Promise<TimedLine> {
    const since = this.mark();
    this.send(line);
    return this.next(`an answer to ${line}`, since, match, timeoutMs);
  }

  /** The first line from `since` on that matches; rejects when the connection closes or after `timeoutMs`. */
  async next(what: string, since: number, match: (text: string) => boolean, timeoutMs: number): Promise<TimedLine> {
    let wake: (() => void) | undefined;
    const found = new Promise<TimedLine>((resolve, reject) => {
      wake = () => {
        const line = this.lines.slice(since).find((l) => match(l.text));
        if (line !== undefined) resolve(line);
        else if (this.socket.destroyed) reject(new Error(`the demo app on ${this.port} closed the connection before ${what}`));
      };
      this.waiters.add(wake);
      wake();
    });
    try {
      return await withDeadline(found, timeoutMs, `no ${what} from the demo app on ${this.port}`);
    } finally {
      if (wake !== undefined) this.waiters.delete(wake);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A connection the demo application has accepted and answered (so it holds the socket), kept
 * idle and read to the end: after a kill, `firstSign` is when this side first saw the close
 * ('end' for a FIN, 'error' for a reset, or 'close').
 */
export class BareSocket {
  private firstAt = NaN;
  readonly closed: Promise<void>;

  private constructor(readonly port: number, private readonly socket: net.Socket, readonly pong: string) {
    const first = () => {
      if (Number.isNaN(this.firstAt)) this.firstAt = performance.now();
    };
    socket.once('end', first);
    socket.once('error', first);
    this.closed = new Promise((resolve) => socket.once('close', () => {
      first();
      resolve();
    }));
  }

  static async open(port: number, timeoutMs: number): Promise<BareSocket> {
    const socket = await connect(port);
    let answer = '';
    try {
      await withDeadline(new Promise<void>((resolve) => {
        const onData = (chunk: Buffer) => {
          answer += chunk.toString('latin1');
          if (!answer.includes('\n')) return;
          socket.off('data', onData);
          socket.resume(); // keep reading, or the FIN of the kill would never surface as 'end'
          resolve();
        };
        socket.on('data', onData);
        socket.write('PING\n');
      }), timeoutMs, `the demo app on ${port} did not answer PING`);
    } catch (error) {
      socket.destroy();
      throw error;
    }
    return new BareSocket(port, socket, answer.trim());
  }

  /** When the close was first seen (NaN before). */
  get firstSign(): number {
    return this.firstAt;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
