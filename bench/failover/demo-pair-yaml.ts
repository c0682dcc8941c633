// The part of a benchmark SCS's configuration that the failover and SCS-takeover benchmarks share:
// two hosts, and a warm-standby pair of demo applications, one on each.

import { DEMO_APP } from '../../test/support/daemons.js';

export const HOSTS = ['host-a', 'host-b'] as const;
export const APPS = ['bench-a', 'bench-b'] as const;

export interface DemoPairYaml {
  readonly lcaPorts: readonly number[];
  /** The line-protocol port of each application, in APPS order. */
  readonly appPorts: readonly number[];
  /** The applications' ADDP timeout, in seconds. */
  readonly appAddpTimeout: number;
  /** Extra lines for each application (e.g. its restart delays). */
  readonly appLines?: readonly string[];
  /** Extra lines for the pair's primary (e.g. its flapping window). */
  readonly pairLines?: readonly string[];
}

/** The `hosts:` and `applications:` sections, one line each. */
export function demoPairYaml(o: DemoPairYaml): string[] {
  const lines = ['hosts:', ...HOSTS.map((host, i) => `  - { name: ${host}, lca: "127.0.0.1:${o.lcaPorts[i]}" }`), 'applications:'];
  APPS.forEach((app, i) => {
    lines.push(
      `  - name: ${app}`,
      `    host: ${HOSTS[i]}`,
      `    command: ${DEMO_APP}`,
      `    args: ["--port", "${o.appPorts[i]}"]`,
      `    addp: { timeout: ${o.appAddpTimeout} }`,
      ...(o.appLines ?? []),
      '    startTimeout: 15',
      '    stopTimeout: 3',
    );
    if (i === 0) lines.push(`    backup: ${APPS[1]}`, '    redundancy: warm-standby', ...(o.pairLines ?? []));
  });
  return lines;
}
