// The simulated network: machines, the processes on them (nodes), listeners by address, and
// in-memory ADDP links between nodes. Partitions cut traffic between two machines in one or
// both directions, holding the bytes as TCP would until they heal. A crashed node loses its
// sockets at once (its peers see the connection close); a hung node neither reads nor writes.

import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { type ConnectOptions, type Connection, type MemoryLink, connect as addpConnect, createMemoryLink } from '@mlayer/addp/internal';

export class NetNode {
  dead = false;
  stalled = false;
  readonly wires = new Set<Wire>();

  constructor(readonly name: string, readonly machine: string) {}
}

interface Wire {
  readonly link: MemoryLink;
  readonly client: NetNode;
  readonly server: NetNode;
  open: number;
}

interface Listener {
  readonly node: NetNode;
  accept(socket: Duplex): void;
}

export type ConnectFunction = (options: ConnectOptions) => Promise<Connection>;

function refused(address: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
}

export class Network {
  private readonly listeners = new Map<string, Listener>();
  private readonly wires = new Set<Wire>();
  /** `from>to`: traffic from machine `from` to machine `to` is held. */
  private readonly cuts = new Set<string>();

  node(name: string, machine: string): NetNode {
    return new NetNode(name, machine);
  }

  listen(address: string, node: NetNode, accept: (socket: Duplex) => void): void {
    this.listeners.set(address, { node, accept });
  }

  /** ADDP connect from `node`, for the SCS's LCA links and the application SDK. */
  connectFrom(node: NetNode): ConnectFunction {
    return (options) => {
      const { createSocket: _real, ...rest } = options;
      return addpConnect({ ...rest, createSocket: (host, port) => this.dial(node, `${host}:${port}`) as unknown as net.Socket });
    };
  }

  isCut(from: string, to: string): boolean {
    return this.cuts.has(`${from}>${to}`);
  }

  cut(from: string, to: string): void {
    this.cuts.add(`${from}>${to}`);
    this.refresh();
  }

  mend(from: string, to: string): void {
    this.cuts.delete(`${from}>${to}`);
    this.refresh();
  }

  mendAll(): void {
    this.cuts.clear();
    this.refresh();
  }

  /** A crash: the node's sockets close, its listeners go. */
  kill(node: NetNode): void {
    node.dead = true;
    for (const [address, listener] of this.listeners) if (listener.node === node) this.listeners.delete(address);
    for (const wire of node.wires) (wire.client === node ? wire.link.client : wire.link.server).destroy();
  }

  /** A hang: nothing goes in or out of the node until resume(). */
  stall(node: NetNode): void {
    node.stalled = true;
    for (const wire of node.wires) this.apply(wire);
  }

  resume(node: NetNode): void {
    node.stalled = false;
    for (const wire of node.wires) this.apply(wire);
  }

  get openWires(): number {
    return this.wires.size;
  }

  private dial(node: NetNode, address: string): Duplex {
    const link = createMemoryLink();
    const socket = link.client;
    process.nextTick(() => {
      const listener = this.listeners.get(address);
      if (node.dead || !listener) {
        socket.destroy(refused(address));
        return;
      }
      const wire: Wire = { link, client: node, server: listener.node, open: 2 };
      this.wires.add(wire);
      node.wires.add(wire);
      listener.node.wires.add(wire);
      const closed = () => {
        wire.open -= 1;
        if (wire.open > 0) return;
        this.wires.delete(wire);
        wire.client.wires.delete(wire);
        wire.server.wires.delete(wire);
      };
      link.client.once('close', closed);
      link.server.once('close', closed);
      this.apply(wire);
      listener.accept(link.server);
      socket.emit('connect');
    });
    return socket;
  }

  private refresh(): void {
    for (const wire of this.wires) this.apply(wire);
  }

  private apply(wire: Wire): void {
    const { client, server, link } = wire;
    const stalled = client.stalled || server.stalled;
    const up = stalled || this.isCut(client.machine, server.machine);
    const down = stalled || this.isCut(server.machine, client.machine);
    if (up && down) link.partition('both', 'hold');
    else if (up) link.partition('client-to-server', 'hold');
    else if (down) link.partition('server-to-client', 'hold');
    else link.heal();
  }
}
