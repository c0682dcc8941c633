// An in-memory pair of connected byte streams for tests and the chaos harness: like a loopback
// TCP connection, but deterministic, and able to cut either direction without closing anything:
// dropping the bytes (a blackhole), or holding them until the link heals (what TCP does through
// a network partition: the bytes, and a close, arrive late rather than never).

import { Duplex } from 'node:stream';

type Cut = 'none' | 'drop' | 'hold';

class MemoryEnd extends Duplex {
  peer: MemoryEnd | undefined;
  /** What happens to bytes written here (one direction of a partition). */
  private cut: Cut = 'none';
  /** Bytes (and a close, as null) held while the direction is cut in hold mode, oldest first. */
  private held: Array<Buffer | null> = [];
  /** The other end, kept past destroy() so that held bytes still reach it on heal. */
  private partner: MemoryEnd | undefined;
  private eofPushed = false;
  readonly remoteAddress: string;
  readonly remotePort: number;

  constructor(address: string, port: number) {
    super({ allowHalfOpen: false });
    this.remoteAddress = address;
    this.remotePort = port;
  }

  pairWith(peer: MemoryEnd): void {
    this.peer = peer;
    this.partner = peer;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.peer && this.cut !== 'drop') this.send(Buffer.from(chunk));
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.peer) this.send(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = undefined;
    if (peer) {
      peer.peer = undefined;
      this.send(null);
    }
    callback(error);
  }

  /** Sets how this direction is cut; back to 'none' delivers the held bytes first, in order. */
  setCut(cut: Cut): void {
    this.cut = cut;
    if (cut !== 'none') return;
    const partner = this.partner;
    for (const chunk of this.held.splice(0)) if (partner) process.nextTick(() => partner.deliver(chunk));
  }

  private send(chunk: Buffer | null): void {
    const partner = this.partner;
    if (!partner) return;
    if (this.cut === 'hold') {
      this.held.push(chunk);
      return;
    }
    // Delivered on a later tick, as a socket would: no re-entrant calls between the two ends.
    process.nextTick(() => partner.deliver(chunk));
  }

  private deliver(chunk: Buffer | null): void {
    if (this.eofPushed || this.destroyed) return;
    if (chunk === null) this.eofPushed = true;
    this.push(chunk);
  }
}

export type LinkDirection = 'client-to-server' | 'server-to-client' | 'both';

export interface MemoryLink {
  /** The initiating side (what `net.connect` would return). */
  readonly client: Duplex;
  /** The accepting side (what a server's 'connection' would give). */
  readonly server: Duplex;
  /**
   * Cuts one or both directions without closing anything. `drop` (the default) loses the bytes
   * written meanwhile; `hold` delivers them, and a close, when the link heals.
   */
  partition(direction?: LinkDirection, mode?: 'drop' | 'hold'): void;
  heal(): void;
}

let nextPort = 40000;

export function createMemoryLink(): MemoryLink {
  const port = nextPort++;
  const client = new MemoryEnd('127.0.0.1', 4999);
  const server = new MemoryEnd('127.0.0.1', port);
  client.pairWith(server);
  server.pairWith(client);
  return {
    client,
    server,
    partition(direction = 'both', mode = 'drop') {
      client.setCut(direction !== 'server-to-client' ? mode : 'none');
      server.setCut(direction !== 'client-to-server' ? mode : 'none');
    },
    heal() {
      client.setCut('none');
      server.setCut('none');
    },
  };
}
