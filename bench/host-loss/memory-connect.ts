// ADDP connections over in-memory links (@mlayer/addp's createMemoryLink) instead of TCP: the
// accepting side gets the server end of a fresh link (e.g. LocalControlAgent.acceptSocket) and
// the caller an open client Connection, exactly as `connect` would give it over a socket.

import type { Duplex } from 'node:stream';
import { type ConnectOptions, Connection } from '@mlayer/addp';
import { type MemoryLink, createMemoryLink } from '@mlayer/addp/internal';

export type ConnectFunction = (options: ConnectOptions) => Promise<Connection>;

/** A connect function whose every link is handed to `accept`; `opened` sees each link (to cut it later). */
export function memoryConnect(accept: (socket: Duplex) => void, opened: (link: MemoryLink) => void = () => undefined): ConnectFunction {
  return (options) => {
    const { host: _host, port: _port, connectTimeoutMs: _limit, createSocket: _factory, ...link } = options;
    const memory = createMemoryLink();
    opened(memory);
    accept(memory.server);
    const client = new Connection({ ...link, socket: memory.client, role: 'client' });
    return new Promise((resolve, reject) => {
      const onLost = (info: { message: string; error?: Error }) => reject(info.error ?? new Error(info.message));
      client.once('lost', onLost);
      client.once('open', () => {
        client.removeListener('lost', onLost);
        resolve(client);
      });
    });
  };
}
