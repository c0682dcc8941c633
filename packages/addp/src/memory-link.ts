// An in-memory pair of connected byte streams for tests and the chaos harness: like a loopback
// TCP connection, but deterministic, and able to blackhole either direction (a partition that
// closes nothing) or to fail like a crashed host.

import { Duplex } from 'node:stream';

class MemoryEnd extends Duplex {
  peer: MemoryEnd | undefined;
  /** While true, bytes written here vanish (one direction of a partition). */
  blackholed = false;
  private eofPushed = false;
  readonly remoteAddress: string;
  readonly remotePort: number;

  constructor(address: string, port: number) {
    super({ allowHalfOpen: false });
    this.remoteAddress = address;
    this.remotePort = port;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (!this.blackholed && peer) {
      const copy = Buffer.from(chunk);
      // Delivered on a later tick, as a socket would: no re-entrant calls between the two ends.
      process.nextTick(() => peer.deliver(copy));
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (peer) process.nextTick(() => peer.deliver(null));
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = undefined;
    if (peer) {
      peer.peer = undefined;
      process.nextTick(() => peer.deliver(null));
    }
    callback(error);
  }

  private deliver(chunk: Buffer | null): void {
    if (this.eofPushed || this.destroyed) return;
    if (chunk === null) this.eofPushed = true;
    this.push(chunk);
  }
}

export interface MemoryLink {
  /** The initiating side (what `net.connect` would return). */
  readonly client: Duplex;
  /** The accepting side (what a server's 'connection' would give). */
  readonly server: Duplex;
  /** Drops bytes in one or both directions without closing anything. */
  partition(direction?: 'client-to-server' | 'server-to-client' | 'both'): void;
  heal(): void;
}

let nextPort = 40000;

export function createMemoryLink(): MemoryLink {
  const port = nextPort++;
  const client = new MemoryEnd('127.0.0.1', 4999);
  const server = new MemoryEnd('127.0.0.1', port);
  client.peer = server;
  server.peer = client;
  return {
    client,
    server,
    partition(direction = 'both') {
      client.blackholed = direction !== 'server-to-client';
      server.blackholed = direction !== 'client-to-server';
    },
    heal() {
      client.blackholed = false;
      server.blackholed = false;
    },
  };
}
