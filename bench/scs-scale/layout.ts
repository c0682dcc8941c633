// The simulated solution of the scs-scale suite, computed the same way by the benchmark (which
// writes the SCS's configuration) and by the helper process (whose fake LCAs report the
// applications): N hosts with M applications each, in pairs whose backup runs on the next host.

export interface ScaleShape {
  readonly hosts: number;
  /** Applications per host (even): half are primaries of pairs, half backups of the previous host's. */
  readonly appsPerHost: number;
}

export const hostName = (i: number): string => `host-${String(i).padStart(4, '0')}`;
const primaryName = (host: number, j: number) => `p${String(host).padStart(4, '0')}-${j}`;
const backupName = (host: number, j: number) => `b${String(host).padStart(4, '0')}-${j}`;

/** The applications on host `i`: its own primaries, then the backups of host i − 1's primaries. */
export function appsOn(shape: ScaleShape, i: number): string[] {
  const half = shape.appsPerHost / 2;
  const previous = (i - 1 + shape.hosts) % shape.hosts;
  return [
    ...Array.from({ length: half }, (_, j) => primaryName(i, j)),
    ...Array.from({ length: half }, (_, j) => backupName(previous, j)),
  ];
}

export interface ScsSection {
  readonly httpPort: number;
  readonly addpTimeout: number;
  readonly secretFile: string;
}

/** The SCS configuration file (YAML), one flow mapping per host and per application. */
export function scaleYaml(shape: ScaleShape, scs: ScsSection, lcaPorts: readonly number[]): string {
  const lines = [
    'scs:',
    '  id: scs-scale',
    `  http: 127.0.0.1:${scs.httpPort}`,
    '  journal: ./journal',
    `  lcaSecretFile: ${scs.secretFile}`,
    `  addp: { timeout: ${scs.addpTimeout}, remoteTimeout: ${scs.addpTimeout} }`,
    'hosts:',
  ];
  for (let i = 0; i < shape.hosts; i += 1) lines.push(`  - { name: ${hostName(i)}, lca: "127.0.0.1:${lcaPorts[i]}" }`);
  lines.push('applications:');
  const half = shape.appsPerHost / 2;
  for (let i = 0; i < shape.hosts; i += 1) {
    const next = (i + 1) % shape.hosts;
    for (let j = 0; j < half; j += 1) {
      lines.push(`  - { name: ${primaryName(i, j)}, host: ${hostName(i)}, command: /bin/true, redundancy: warm-standby, backup: ${backupName(i, j)} }`);
      lines.push(`  - { name: ${backupName(i, j)}, host: ${hostName(next)}, command: /bin/true }`);
    }
  }
  return `${lines.join('\n')}\n`;
}
