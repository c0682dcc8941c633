// The demo application of CONTRACT.md section 9: a real redundant server, built only on the
// public SDK. It follows its role and serves a line protocol on 127.0.0.1:PORT.

import net from 'node:net';
import { createInterface } from 'node:readline';
import type { Logger, Role } from '@mlayer/common';
import { type LcaClient, connectToLca } from '../app/index.js';

export interface DemoAppOptions {
  readonly port: number;
  readonly kind: 'generic' | 'config-server';
  readonly logger: Logger;
}

export interface DemoApp {
  readonly port: number;
  readonly lca: LcaClient;
  stop(code?: number): Promise<never>;
}

/** Blocks the event loop: a stall that no timer or socket can interrupt. */
function hang(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

export async function runDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const { logger } = options;
  let role: Role = 'none';
  const watchers = new Set<net.Socket>();
  let stopping = false;
  let syncReported = false;
  let client: LcaClient | undefined;

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => watchers.delete(socket));
    socket.on('close', () => watchers.delete(socket));
    createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => {
      const answer = handle(line.trim(), socket);
      if (answer !== undefined && socket.writable) socket.write(`${answer}\n`);
    });
  });

  const stop = async (code = 0): Promise<never> => {
    if (!stopping) {
      stopping = true;
      logger.info('demo app stopping', { code });
      for (const socket of watchers) socket.end();
      server.close();
      lca.close();
    }
    process.exit(code);
  };

  const lca = await connectToLca({
    logger,
    onRole: (next) => {
      role = next;
      // A hot-standby backup is in sync with its primary (the demo keeps no data); FACT sync lagging says otherwise.
      if (next === 'backup' && !syncReported) {
        syncReported = true;
        client?.reportFacts({ sync: 'in-sync' });
      }
      logger.info('role changed', { role });
      for (const socket of watchers) socket.write(`role ${role}\n`);
    },
    onSuspend: () => {
      setImmediate(() => void stop(0));
    },
  });

  client = lca;

  function handle(line: string, socket: net.Socket): string | undefined {
    const [command = '', ...rest] = line.split(/\s+/);
    switch (command.toUpperCase()) {
      case 'ROLE':
        return role;
      case 'WATCH':
        watchers.add(socket);
        return `role ${role}`;
      case 'PING':
        return `PONG ${role}`;
      case 'SERVICE': {
        const state = rest[0]?.toLowerCase();
        if (state !== 'unavailable' && state !== 'available') return 'ERR usage: SERVICE unavailable|available';
        lca.reportStatus(state === 'unavailable' ? 'service-unavailable' : 'started');
        return 'OK';
      }
      case 'FACT': {
        const [key, ...value] = rest;
        if (!key || value.length === 0) return 'ERR usage: FACT <key> <value>';
        if (key === 'sync') syncReported = true;
        lca.reportFacts({ [key]: value.join(' ') });
        return 'OK';
      }
      case 'HANG': {
        const ms = Number(rest[0]);
        if (!Number.isFinite(ms) || ms < 0) return 'ERR usage: HANG <ms>';
        hang(ms);
        return 'OK';
      }
      case 'EXIT': {
        const code = Number(rest[0] ?? 0);
        process.exit(Number.isInteger(code) ? code : 1);
        return undefined;
      }
      case '':
        return undefined;
      default:
        return `ERR unknown command ${command}; try ROLE, WATCH, PING, SERVICE, FACT, HANG, EXIT`;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  process.on('SIGUSR1', () => lca.reportStatus('service-unavailable'));
  process.on('SIGUSR2', () => lca.reportStatus('started'));
  process.on('SIGTERM', () => void stop(0));

  if (options.kind === 'config-server') lca.reportFacts({ peer: 'up', database: 'up' });
  lca.reportStatus('started');
  logger.info('demo app started', { port, kind: options.kind, app: lca.app });
  return { port, lca, stop };
}
