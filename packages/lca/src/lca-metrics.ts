// The LCA's Prometheus metrics (CONTRACT.md section 8): applications by status, SCS sessions,
// the ADDP link metrics and the default process metrics.

import { APP_STATUSES, type AppStatus } from '@mlayer/common';
import { AddpMetrics, createRegistry, promClient, type Registry } from '@mlayer/common/metrics';

export class LcaMetrics {
  readonly registry: Registry;
  readonly addp: AddpMetrics;

  /** `defaultMetrics`: collect Node's default process metrics (default true). */
  constructor(statuses: () => Iterable<AppStatus>, sessions: () => number, options: { readonly defaultMetrics?: boolean } = {}) {
    this.registry = createRegistry({ defaultMetrics: options.defaultMetrics ?? true });
    this.addp = new AddpMetrics(this.registry);
    new promClient.Gauge({
      name: 'mlayer_lca_apps',
      help: 'Applications known to this LCA, by status',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        const counts = new Map<AppStatus, number>(APP_STATUSES.map((s) => [s, 0]));
        for (const status of statuses()) counts.set(status, (counts.get(status) ?? 0) + 1);
        for (const [status, count] of counts) this.set({ status }, count);
      },
    });
    new promClient.Gauge({
      name: 'mlayer_lca_scs_sessions',
      help: 'Authenticated SCS connections to this LCA',
      registers: [this.registry],
      collect() {
        this.set(sessions());
      },
    });
  }
}
