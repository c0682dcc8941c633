// Opening ADDP links over TCP: `connect()` for the initiating side, `AddpServer` for the
// accepting side. Both hand out Connections only once their handshake is complete.

import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type Logger, silentLogger, systemClock } from '@mlayer/common';
import { Connection, type ConnectionOptions, DEFAULT_HANDSHAKE_TIMEOUT_MS, type LostInfo } from './connection.js';
import { AddpError } from './errors.js';

export type LinkOptions = Omit<ConnectionOptions, 'socket' | 'role'>;

export interface ConnectOptions extends LinkOptions {
  readonly host: string;
  readonly port: number;
  /** Gives up when TCP connect plus handshake take longer (default: the handshake timeout). */
  readonly connectTimeoutMs?: number;
  /** Socket factory, injected by tests (default net.connect). */
  readonly createSocket?: (host: string, port: number) => net.Socket;
}

function lostError(info: LostInfo, what: string): Error {
  return info.error ?? new AddpError('ADDP_CONNECTION_LOST', `${what}: ${info.message}`);
}

/** Resolves with an open Connection once the handshake completed; rejects with why it did not. */
export function connect(options: ConnectOptions): Promise<Connection> {
  const { host, port, connectTimeoutMs, createSocket, ...link } = options;
  const target = `${host}:${port}`;
  const clock = link.clock ?? systemClock;
  const limitMs = connectTimeoutMs ?? link.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const socket = (createSocket ?? ((h, p) => net.connect({ host: h, port: p })))(host, port);
    const timer = clock.setTimeout(() => {
      socket.destroy();
      reject(new AddpError('ADDP_CONNECTION_LOST', `connect to ${target} timed out after ${limitMs} ms`));
    }, limitMs);
    const clearTimeout = (handle: typeof timer) => clock.clearTimeout(handle);
    const failed = (error: Error) => {
      clearTimeout(timer);
      reject(new AddpError('ADDP_CONNECTION_LOST', `cannot connect to ${target}: ${error.message}`, { cause: error }));
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      socket.removeListener('error', failed);
      const connection = new Connection({ ...link, label: link.label ?? target, socket, role: 'client' });
      const onLost = (info: LostInfo) => {
        clearTimeout(timer);
        reject(lostError(info, `handshake with ${target} failed`));
      };
      connection.once('lost', onLost);
      connection.once('open', () => {
        clearTimeout(timer);
        connection.removeListener('lost', onLost);
        resolve(connection);
      });
    });
  });
}

export interface AddpServerOptions extends LinkOptions {
  readonly logger?: Logger;
  /** Called for each accepted socket; lets the owner choose options per peer. */
  readonly configure?: (socket: Duplex) => Partial<LinkOptions>;
}

export interface AddpServerEvents {
  /** A peer completed the handshake. */
  connection: [Connection];
  /** A peer failed the handshake (it was closed); logged, for the owner's metrics. */
  rejected: [LostInfo, string];
  error: [Error];
}

/** Accepts ADDP peers; tracks every live Connection so that `close()` ends them all. */
export class AddpServer extends EventEmitter<AddpServerEvents> {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly log: Logger;

  constructor(private readonly options: AddpServerOptions = {}) {
    super();
    this.log = (options.logger ?? silentLogger).child({ component: 'addp-server' });
    this.server = net.createServer((socket) => this.onSocket(socket));
    this.server.on('error', (error) => this.emit('error', error));
  }

  get size(): number {
    return this.connections.size;
  }

  listen(port: number, host = '127.0.0.1'): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', onError);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  address(): net.AddressInfo | undefined {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  /** Stops accepting and closes every link (with a CLOSE frame carrying `reason`). */
  close(reason = 'server shutting down'): Promise<void> {
    for (const connection of this.connections) connection.close(reason);
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }

  /**
   * Serves a connection that did not come through the listener (an in-memory link in tests and
   * in the chaos harness) exactly like an accepted socket.
   */
  adopt(socket: Duplex & { remoteAddress?: string; remotePort?: number }): void {
    this.onSocket(socket);
  }

  private onSocket(socket: Duplex & { remoteAddress?: string; remotePort?: number }): void {
    const label = `${socket.remoteAddress}:${socket.remotePort}`;
    const { configure, logger, ...link } = this.options;
    const connection = new Connection({ ...link, logger: logger ?? silentLogger, label, ...configure?.(socket), socket, role: 'server' });
    this.connections.add(connection);
    connection.once('close', () => this.connections.delete(connection));
    const onLost = (info: LostInfo) => {
      this.log.warn('peer failed the ADDP handshake', { peer: label, reason: info.reason, detail: info.message });
      this.emit('rejected', info, label);
    };
    connection.once('lost', onLost);
    connection.once('open', () => {
      connection.removeListener('lost', onLost);
      this.emit('connection', connection);
    });
  }
}
