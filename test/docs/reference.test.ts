// The reference pages against the code: every command and flag of `mlayer --help` in docs/cli.md,
// every endpoint of the API and every event type in docs/api.md, every metric the daemons
// register in docs/metrics.md, and no metric name in docs/ or deploy/ that the daemons do not
// export. Also: the Grafana dashboard is valid JSON, and the alerts table matches alerts.yml.

import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse } from 'yaml';
import { silentLogger } from '@mlayer/common';
import { LocalControlAgent } from '@mlayer/lca';
import { ScsMetrics } from '@mlayer/scs/internal';
import { MLAYER, ROOT, cleanupDaemons, tempDir } from '../support/daemons.js';

const run = promisify(execFile);
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface HelpOption {
  readonly flag: string;
  readonly default?: string;
  readonly env?: string;
}

async function help(...command: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [MLAYER, ...command, '--help']);
  return stdout;
}

function options(text: string): HelpOption[] {
  // commander wraps long descriptions: a continuation line is indented and starts with no flag
  const joined = text.replace(/\n {3,}(?!-)/g, ' ');
  const found: HelpOption[] = [];
  for (const match of joined.matchAll(/^\s+(--[a-z-]+)(?: <[^>]+>)?\s+(.*)$/gm)) {
    const flag = match[1] as string;
    if (flag === '--help') continue;
    const rest = match[2] ?? '';
    const def = /\(default: "([^"]*)"/.exec(rest)?.[1];
    const env = /env: ([A-Z_]+)/.exec(rest)?.[1];
    found.push({ flag, ...(def === undefined ? {} : { default: def }), ...(env === undefined ? {} : { env }) });
  }
  return found;
}

/** The metric names a registry exports, with the series names of its histograms. */
function seriesNames(metrics: readonly { name: string; type: unknown }[]): Set<string> {
  const names = new Set<string>();
  for (const { name, type } of metrics) {
    names.add(name);
    if (String(type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (!fenced && heading) found.add(slug(heading[1] as string));
  }
  return found;
}

describe('the reference pages against the code', function () {
  this.timeout(60_000);
  after(() => cleanupDaemons());

  it('links only to files and headings that exist', () => {
    const pages = [...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`), 'README.md'];
    const broken: string[] = [];
    for (const page of pages) {
      const dir = page.includes('/') ? page.slice(0, page.lastIndexOf('/') + 1) : '';
      for (const match of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] as string;
        if (/^[a-z]+:/.test(target)) continue;
        const [file = '', hash] = target.split('#');
        const path = file === '' ? page : join(dir, file);
        let text: string;
        try {
          text = read(path);
        } catch {
          if (hash === undefined && file !== '' && readdirSync(join(ROOT, path.replace(/\/$/, ''))).length > 0) continue; // a folder
          broken.push(`${page}: ${target}`);
          continue;
        }
        if (hash !== undefined && !anchors(text).has(hash)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(broken).to.deep.equal([]);
  });

  describe('docs/cli.md', () => {
    const page = read('docs/cli.md');

    it('documents every command of mlayer --help', async () => {
      const commands = [...(await help()).matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1] as string).filter((c) => c !== 'help');
      expect(commands).to.include.members(['lca', 'scs', 'up', 'validate', 'status', 'events', 'switchover']);
      for (const command of commands) expect(page, `mlayer ${command}`).to.match(new RegExp(`mlayer ${command}\\b|\`${command} APP`));
    });

    it('documents every flag, its default and its environment variable', async () => {
      const commands = [...(await help()).matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1] as string).filter((c) => c !== 'help');
      for (const command of commands) {
        for (const option of options(await help(command))) {
          // a row of a flags table, or the heading of the command
          const rows = page.split('\n').filter((line) => line.startsWith(`| \`${option.flag}`) || (line.startsWith('### ') && line.includes(option.flag)));
          expect(rows, `mlayer ${command} ${option.flag}: no table row or heading`).to.not.be.empty;
          const row = rows.find((line) => line.startsWith('|')) ?? '';
          // --name defaults to this machine's host name; the page says so in words
          if (option.default !== undefined && option.flag !== '--name') expect(row, `default of ${command} ${option.flag}`).to.contain(`\`${option.default}\``);
          if (option.env !== undefined) expect(row, `env of ${command} ${option.flag}`).to.contain(`$${option.env}`);
        }
      }
    });
  });

  describe('docs/api.md', () => {
    const page = read('docs/api.md');

    it('documents every route of packages/scs/src/http/routes.ts', () => {
      const source = read('packages/scs/src/http/routes.ts');
      const routes = [...source.matchAll(/router\.add\('(GET|POST)', `?'?([^'`,]+)/g)].map((m) => `${m[1]} ${m[2]}`);
      for (const action of source.matchAll(/^ {2}command\('([a-z]+)'/gm)) routes.push(`POST /api/v1/applications/:name/${action[1]}`);
      expect(routes.length).to.be.at.least(12);
      for (const route of routes) {
        const documented = route.replace('${action}', '').replace(':name', 'NAME');
        if (documented.endsWith('/')) continue; // the template of the command routes, listed one by one above
        expect(page, route).to.contain(`\`${documented}`);
      }
    });

    it('documents every event type of packages/scs/src/events.ts', () => {
      const types = [...read('packages/scs/src/events.ts').matchAll(/type: '([a-z-]+)'/g)].map((m) => m[1] as string);
      expect(types.length).to.be.at.least(15);
      for (const type of types) expect(page, type).to.contain(`\`${type}\``);
    });
  });

  describe('metric names', () => {
    let known: Set<string>;
    let mlayerMetrics: string[];

    before(() => {
      const scs = new ScsMetrics({ defaultMetrics: false });
      const lca = new LocalControlAgent({ listen: { host: '127.0.0.1', port: 0 }, name: 'docs', stateDir: tempDir('mlayer-docs-'), logger: silentLogger });
      const all = [...scs.registry.getMetricsAsArray(), ...lca.registry.getMetricsAsArray()];
      known = seriesNames(all);
      mlayerMetrics = [...new Set(all.map((m) => m.name).filter((n) => n.startsWith('mlayer_')))];
    });

    it('docs/metrics.md lists every metric the SCS and the LCA register', () => {
      const page = read('docs/metrics.md');
      expect(mlayerMetrics).to.include.members(['mlayer_app_status', 'mlayer_switchovers_total', 'mlayer_lca_apps']);
      for (const name of mlayerMetrics) expect(page, name).to.contain(`| \`${name}\` |`);
    });

    it('docs/ and deploy/ name no metric the daemons do not export', () => {
      const files = [
        ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
        'deploy/prometheus/alerts.yml',
        'deploy/prometheus/alerts.test.yml',
        'deploy/grafana/mlayer.json',
        'README.md',
      ];
      const unknown: string[] = [];
      for (const file of files) {
        for (const match of read(file).matchAll(/\bmlayer_[a-z_]+[a-z]/g)) {
          if (!known.has(match[0])) unknown.push(`${file}: ${match[0]}`);
        }
      }
      expect(unknown).to.deep.equal([]);
    });
  });

  describe('deploy/', () => {
    it('the Grafana dashboard is valid JSON with unique panel ids and a Prometheus data source variable', () => {
      const dashboard = JSON.parse(read('deploy/grafana/mlayer.json')) as {
        title: string; uid: string; schemaVersion: number;
        panels: { id: number; type: string; targets?: { expr: string; datasource: { uid: string } }[] }[];
        templating: { list: { name: string; type: string; query: string }[] };
      };
      expect(dashboard.title).to.equal('mlayer');
      expect(dashboard.uid).to.be.a('string').that.is.not.empty;
      expect(dashboard.schemaVersion).to.be.a('number');
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).to.equal(ids.length);
      expect(dashboard.templating.list).to.deep.include({ ...dashboard.templating.list.find((v) => v.name === 'datasource'), type: 'datasource', query: 'prometheus' });
      const targets = dashboard.panels.flatMap((p) => p.targets ?? []);
      expect(targets.length).to.be.at.least(10);
      for (const target of targets) {
        expect(target.expr).to.be.a('string').that.is.not.empty;
        expect(target.datasource.uid).to.equal('${datasource}');
      }
    });

    it('docs/metrics.md lists exactly the alerts of deploy/prometheus/alerts.yml', () => {
      const rules = parse(read('deploy/prometheus/alerts.yml')) as { groups: { rules: { alert: string }[] }[] };
      const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).sort();
      const listed = [...read('docs/metrics.md').matchAll(/^\| `(Mlayer[A-Za-z]+)` \|/gm)].map((m) => m[1]).sort();
      expect(listed).to.deep.equal(alerts);
    });

    it('the systemd units keep the applications alive across LCA restarts and run unprivileged', () => {
      const lca = read('deploy/systemd/mlayer-lca.service');
      const scs = read('deploy/systemd/mlayer-scs.service');
      for (const unit of [lca, scs]) {
        for (const line of ['User=mlayer', 'Restart=on-failure', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes']) {
          expect(unit).to.match(new RegExp(`^${line}$`, 'm'));
        }
        expect(unit).to.match(/^ReadWritePaths=\/var\/lib\/mlayer/m);
      }
      expect(lca).to.match(/^KillMode=process$/m);
      expect(scs).to.match(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    });
  });
});
