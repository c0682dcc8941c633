// Prometheus plumbing shared by the daemons: a registry per daemon (never the global one, so
// several daemons can live in one process), the ADDP link metrics, and the /metrics endpoint.

import http from 'node:http';
import client from 'prom-client';
import type { Logger } from './logger.js';

export type Registry = client.Registry;
export { client as promClient };

export function createRegistry(options: { defaultMetrics?: boolean } = {}): client.Registry {
  const registry = new client.Registry();
  if (options.defaultMetrics ?? true) client.collectDefaultMetrics({ register: registry });
  return registry;
}

/** `mlayer_addp_rtt_seconds{peer}` and `mlayer_addp_timeouts_total{peer}`, fed by ADDP links. */
export class AddpMetrics {
  private readonly rttHistogram: client.Histogram<'peer'>;
  private readonly timeouts: client.Counter<'peer'>;

  constructor(registry: client.Registry) {
    this.rttHistogram = new client.Histogram({
      name: 'mlayer_addp_rtt_seconds',
      help: 'Round-trip time of ADDP polls, by peer',
      labelNames: ['peer'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
    this.timeouts = new client.Counter({
      name: 'mlayer_addp_timeouts_total',
      help: 'ADDP links lost because the peer was silent for the timeout, by peer',
      labelNames: ['peer'],
      registers: [registry],
    });
  }

  rtt(peer: string, seconds: number): void {
    this.rttHistogram.observe({ peer }, seconds);
  }

  timeout(peer: string): void {
    this.timeouts.inc({ peer });
  }
}

/** Serves `GET /metrics` (and `/healthz`) on host:port; resolves once listening. */
export async function serveMetrics(registry: client.Registry, host: string, port: number, logger: Logger): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (error: unknown) => {
          logger.error('metrics collection failed', { error: String(error) });
          res.writeHead(500).end();
        },
      );
      return;
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  return server;
}
