// A loopback TCP relay for partition tests: clients connect to the proxy, which connects to the
// target. It can blackhole traffic in either direction or both — bytes vanish, sockets stay open,
// exactly like a network partition — and heal. Closing the proxy closes every relayed pair.

import net from 'node:net';

export type Direction = 'to-target' | 'to-client' | 'both';

export class PartitionProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private dropToTarget = false;
  private dropToClient = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.relay(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  partition(direction: Direction = 'both'): void {
    this.dropToTarget = direction !== 'to-client';
    this.dropToClient = direction !== 'to-target';
  }

  heal(): void {
    this.dropToTarget = false;
    this.dropToClient = false;
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.target);
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.on('data', (chunk) => {
      if (!this.dropToTarget) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!this.dropToClient) client.write(chunk);
    });
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // A partition hides closes too: a side that dies behind it is not seen to die.
    client.on('close', () => {
      if (!this.dropToTarget) end();
    });
    upstream.on('close', () => {
      if (!this.dropToClient) end();
    });
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  }
}
