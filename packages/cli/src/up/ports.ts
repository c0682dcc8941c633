// Before anything starts: are the addresses the LCAs and the SCS will listen on free? A clear
// "already in use" up front beats a daemon that dies half-way through the start.

import net from 'node:net';
import { type HostPort, formatHostPort } from '@mlayer/common';

export interface Listener {
  /** Who will listen there: `LCA host-a`, `the SCS API`. */
  readonly label: string;
  readonly address: HostPort;
}

/** One line per address that cannot be listened on, e.g. `127.0.0.1:4999 (LCA host-a): in use`. */
export async function unavailableAddresses(listeners: readonly Listener[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { label, address } of listeners) {
    const server = net.createServer();
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen({ host: address.host, port: address.port, exclusive: true }, () => resolve(undefined));
    });
    if (error === undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    else problems.push(`${formatHostPort(address)} (${label}): ${error.code === 'EADDRINUSE' ? 'already in use' : error.message}`);
  }
  return problems;
}
