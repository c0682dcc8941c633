// Feeding a link's RTT and timeouts to whatever records them (the daemons' Prometheus metrics).

import type { Connection } from './connection.js';

export interface LinkMetrics {
  rtt(peer: string, seconds: number): void;
  timeout(peer: string): void;
}

export function observeLink(connection: Connection, metrics: LinkMetrics, peer: string): void {
  connection.on('rtt', (seconds) => metrics.rtt(peer, seconds));
  connection.on('lost', (info) => {
    if (info.reason === 'timeout') metrics.timeout(peer);
  });
}
