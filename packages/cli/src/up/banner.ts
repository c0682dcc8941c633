// The lines `mlayer up` prints once the solution runs: what runs where, where its logs are, the
// API and metrics URLs, and what to try next.

import { isAbsolute, relative } from 'node:path';
import { formatHostPort } from '@mlayer/common';
import type { LoadedConfig } from '@mlayer/common/config';
import type { Palette } from '../client/ansi.js';
import { DEFAULT_URL } from '../client/api-client.js';
import type { Daemon } from './daemon.js';
import type { UpLayout } from './layout.js';

export interface BannerInput {
  readonly config: LoadedConfig;
  readonly layout: UpLayout;
  readonly lcas: readonly Daemon[];
  readonly scs: Daemon;
  readonly generatedSecret: boolean;
  readonly cwd: string;
  /** How the user reaches `mlayer` from a shell: `mlayer`, or `npx mlayer` when npm started it. */
  readonly mlayer: string;
  /** Offer `npm run demo:failover` (true under the repository's own `npm start`). */
  readonly demo: boolean;
}

/** A path as the user would type it from where they are: relative below the working directory. */
export function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

export function bannerLines(input: BannerInput, p: Palette): string[] {
  const { config, layout, cwd } = input;
  const pairs = config.pairs.length === 1 ? '1 pair' : `${config.pairs.length} pairs`;
  const lines = [p.bold(`mlayer up ${shown(config.file, cwd)}: ${config.hosts.length} hosts, ${config.applications.length} applications in ${pairs}`)];
  if (input.generatedSecret && config.scs.lcaSecretFile !== null) {
    lines.push(`  generated the LCA secret ${shown(config.scs.lcaSecretFile, cwd)} (mode 600)`);
  }
  const width = Math.max(...[...input.lcas, input.scs].map((d) => d.label.length));
  for (const [lca, host] of input.lcas.map((d, i) => [d, layout.localHosts[i]] as const)) {
    lines.push(`  ${lca.label.padEnd(width)}  listening on ${host ? formatHostPort(host.listen) : '?'}  pid ${lca.pid}`);
  }
  lines.push(`  ${input.scs.label.padEnd(width)}  serving ${layout.apiUrl}  pid ${input.scs.pid}`);
  for (const host of layout.remoteHosts) {
    lines.push(p.yellow(`  host ${host.name} is not on this machine (LCA ${formatHostPort(host.lca)}): run \`mlayer lca --name ${host.name}\` there`));
  }
  const logs = [...layout.localHosts.map((h) => shown(h.logFile, layout.logDir)), shown(layout.scsLogFile, layout.logDir)];
  lines.push(`  logs in ${shown(layout.logDir, cwd)}/: ${logs.join(', ')}; applications in ${shown(layout.appLogDir, layout.logDir)}/APP.log`);
  const url = layout.apiUrl === DEFAULT_URL ? '' : ` --url ${layout.apiUrl}`;
  const tries = [`${input.mlayer} status${url}`, `${input.mlayer} events --follow${url}`, ...(input.demo ? ['npm run demo:failover'] : [])];
  lines.push(
    '',
    `  API      ${layout.apiUrl}/api/v1/status`,
    `  metrics  ${layout.apiUrl}/metrics`,
    `  try, in another terminal:  ${tries.join('   ')}`,
    `  Ctrl-C stops the SCS, the LCAs and every application they started.`,
    '',
  );
  return lines;
}

/** The last line of the live block. */
export function footerLine(layout: UpLayout, cwd: string): string {
  return `API ${layout.apiUrl} · logs ${shown(layout.logDir, cwd)}/ · Ctrl-C stops everything`;
}
