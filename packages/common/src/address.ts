// HOST:PORT addresses as users write them in flags and configuration.

import { ValidationError } from './errors.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_LCA_PORT = 4999;

/**
 * Parses "host:port", "[v6]:port" or ":port". With `lcaPort`, a port <= 1999 means 4999, as in
 * the Genesys model (the LCA never listens on a low port); 0 means any free port.
 */
export function parseHostPort(value: string, what = 'address', options: { lcaPort?: boolean; defaultHost?: string } = {}): HostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(value.trim());
  if (!match) {
    throw new ValidationError(`${what} must be HOST:PORT (e.g. 127.0.0.1:4999); got "${value}"`);
  }
  const host = match[1] ?? (match[2] || options.defaultHost || '0.0.0.0');
  let port = Number(match[3]);
  if (port > 65535) throw new ValidationError(`${what}: port ${port} is above 65535`);
  if (options.lcaPort && port > 0 && port <= 1999) port = DEFAULT_LCA_PORT; // 0 still means "any free port"
  return { host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
