// A real Prometheus scrapes a real solution: the SCS's /metrics and the LCAs' --metrics. The test
// installs Prometheus when it is missing (scripts/install-prometheus.sh; it fails, never skips, when
// that is not possible), checks the files in deploy/ with promtool, triggers a switchover with a
// kill -9 of the primary, and reads the metrics back through Prometheus's HTTP API.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { ROOT, freePort, startLca } from '../support/daemons.js';
import { TestSolution } from '../support/solution.js';
import { pollUntil } from '../support/wait.js';

const run = promisify(execFile);
const DEPLOY = join(ROOT, 'deploy/prometheus');

/** A TestSolution whose LCAs also serve --metrics. */
class MeteredSolution extends TestSolution {
  readonly metricsPorts = new Map<string, number>();

  override async start(): Promise<this> {
    for (const host of this.options.hosts) {
      const metrics = await freePort();
      this.metricsPorts.set(host, metrics);
      this.lcas.set(host, await startLca({
        name: host,
        secret: this.secret,
        stateDir: join(this.dir, `lca-${host}`),
        extraArgs: ['--metrics', `127.0.0.1:${metrics}`],
      }));
    }
    for (const app of this.options.apps) this.ports.set(app.name, await freePort());
    const httpPort = await freePort();
    this.url = `http://127.0.0.1:${httpPort}`;
    this.configFile = join(this.dir, 'solution.yaml');
    writeFileSync(this.configFile, this.yaml(httpPort));
    await this.startScs();
    return this;
  }
}

interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

interface ApiReply<T> {
  readonly status: 'success' | 'error';
  readonly data: T;
  readonly error?: string;
}

class Prometheus {
  private readonly stderr: string[] = [];
  private readonly exited: Promise<unknown>;

  private constructor(readonly process: ChildProcess, readonly url: string) {
    createInterface({ input: process.stderr as NodeJS.ReadableStream }).on('line', (line) => this.stderr.push(line));
    this.exited = once(process, 'exit');
  }

  static async start(dir: string, config: string): Promise<Prometheus> {
    const port = await freePort();
    const child = spawn('prometheus', [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
    const prometheus = new Prometheus(child, `http://127.0.0.1:${port}`);
    try {
      await pollUntil('Prometheus to be ready', async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${prometheus.log()}`);
        const response = await fetch(`${prometheus.url}/-/ready`).catch(() => undefined);
        return response?.status === 200;
      }, { timeoutMs: 60_000, intervalMs: 100 });
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheus;
  }

  log(): string {
    return this.stderr.slice(-10).join('\n');
  }

  async api<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`);
    const body = (await response.json()) as ApiReply<T>;
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  }

  async query(expr: string): Promise<Sample[]> {
    const data = await this.api<{ resultType: string; result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    return data.result;
  }

  /** Polls `expr` until `accept` holds for its result. */
  async waitFor(what: string, expr: string, accept: (samples: Sample[]) => boolean): Promise<Sample[]> {
    let last: Sample[] = [];
    try {
      return await pollUntil(what, async () => {
        last = await this.query(expr);
        return accept(last) && last;
      }, { timeoutMs: 60_000, intervalMs: 200 });
    } catch (error) {
      throw new Error(`${(error as Error).message}; last result of ${expr}: ${JSON.stringify(last)}; prometheus log: ${this.log()}`);
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

const value = (sample: Sample | undefined): number => Number(sample?.value[1]);

describe('Prometheus with a real solution', function () {
  this.timeout(300_000);
  let solution: MeteredSolution | undefined;
  let prometheus: Prometheus | undefined;

  before(async function () {
    this.timeout(900_000);
    // Installs the Debian package when prometheus or promtool is missing; a failure fails the run.
    await run('sh', [join(ROOT, 'scripts/install-prometheus.sh')], { timeout: 850_000 });
    const { stdout } = await run('prometheus', ['--version']);
    expect(stdout + '').to.match(/prometheus, version [23]\./);
  });

  after(async () => {
    await prometheus?.stop();
    await solution?.stopAll();
  });

  it('promtool accepts deploy/prometheus: the scrape config, the alerting rules and their unit tests', async () => {
    const config = await run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: DEPLOY });
    expect(config.stdout).to.contain('SUCCESS');
    const rules = await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: DEPLOY });
    expect(rules.stdout).to.match(/SUCCESS: \d+ rules found/);
    const tests = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: DEPLOY });
    expect(tests.stdout).to.contain('SUCCESS');
  });

  it('ingests LCA links, application statuses and a switchover, and evaluates the rules and the dashboard', async () => {
    solution = await new MeteredSolution({
      hosts: ['host-a', 'host-b'],
      apps: [
        { name: 'stat-a', host: 'host-a', backup: 'stat-b' },
        { name: 'stat-b', host: 'host-b' },
      ],
    }).start();
    await solution.waitForApp('stat-a', 'started', 'primary');
    await solution.waitForApp('stat-b', 'started', 'backup');

    const dir = solution.dir;
    const scs = new URL(solution.url).host;
    const lcas = [...solution.metricsPorts.values()].map((port) => `127.0.0.1:${port}`);
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, [
      'global: { scrape_interval: 200ms, scrape_timeout: 200ms, evaluation_interval: 200ms }',
      `rule_files: [${JSON.stringify(join(DEPLOY, 'alerts.yml'))}]`,
      'scrape_configs:',
      `  - { job_name: mlayer-scs, static_configs: [{ targets: ["${scs}"] }] }`,
      `  - { job_name: mlayer-lca, static_configs: [{ targets: [${lcas.map((t) => `"${t}"`).join(', ')}] }] }`,
      '',
    ].join('\n'));
    prometheus = await Prometheus.start(dir, config);
    const p = prometheus;

    await p.waitFor('every target up', 'up', (s) => s.length === 3 && s.every((x) => value(x) === 1));
    const links = await p.waitFor('both LCA links up', 'mlayer_lca_connected{job="mlayer-scs"}', (s) => s.length === 2 && s.every((x) => value(x) === 1));
    expect(links.map((s) => s.metric.host).sort()).to.deep.equal(['host-a', 'host-b']);
    await p.waitFor('stat-a started', 'mlayer_app_status{app="stat-a", status="started"}', (s) => value(s[0]) === 1);
    const statuses = await p.query('mlayer_app_status{app="stat-a"}');
    expect(statuses).to.have.length(10); // one series per status, 1 for the current one
    expect(statuses.filter((s) => value(s) === 1).map((s) => s.metric.status)).to.deep.equal(['started']);
    await p.waitFor('the SCS primary', 'mlayer_scs_role{role="primary"}', (s) => value(s[0]) === 1);
    await p.waitFor('each LCA runs one started application', 'mlayer_lca_apps{job="mlayer-lca", status="started"}', (s) => s.length === 2 && s.every((x) => value(x) === 1));

    const { pid } = await solution.app('stat-a');
    process.kill(pid as number, 'SIGKILL');
    await solution.waitForEvent('switchover-completed', (e) => e.type === 'switchover-completed' && e.pair === 'stat-a');
    // Every reason's counter exists from the start (at 0); the process failure's is now 1.
    const switchovers = await p.waitFor('the switchover counted', 'mlayer_switchovers_total{pair="stat-a", reason="process-failure"}', (s) => value(s[0]) >= 1);
    expect(switchovers[0]?.metric).to.include({ job: 'mlayer-scs', pair: 'stat-a', reason: 'process-failure' });
    await p.waitFor('its duration observed', 'mlayer_switchover_duration_seconds_count{pair="stat-a"}', (s) => value(s[0]) >= 1);
    await p.waitFor('stat-b primary', 'mlayer_app_role{app="stat-b", role="primary"}', (s) => value(s[0]) === 1);

    // The alerting rules of deploy/ are loaded and evaluated against the real series.
    const rules = await p.api<{ groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules');
    const evaluated = rules.groups.flatMap((g) => g.rules);
    expect(rules.groups.map((g) => g.name).sort()).to.deep.equal(['mlayer-applications', 'mlayer-lca', 'mlayer-scs']);
    await pollUntil('every rule evaluated', async () => {
      const now = (await p.api<typeof rules>('/api/v1/rules')).groups.flatMap((g) => g.rules);
      return now.every((r) => r.health === 'ok') && now;
    }, { timeoutMs: 30_000, intervalMs: 200 }).catch(() => {
      throw new Error(`rules not healthy: ${JSON.stringify(evaluated.filter((r) => r.health !== 'ok'))}`);
    });
    const alerts = (await p.api<{ alerts: { labels: Record<string, string> }[] }>('/api/v1/alerts')).alerts.map((a) => a.labels.alertname);
    expect(alerts.filter((name) => ['MlayerScsSplitBrain', 'MlayerNoPrimaryScs', 'MlayerScsDown'].includes(name ?? ''))).to.deep.equal([]);

    // Every query of the Grafana dashboard is valid PromQL, and finds series unless it is about
    // something this run does not do (a guard blocking, an ADDP link timing out).
    const rare = new Set(['Switchovers blocked by a guard', 'ADDP timeouts']);
    // increase() needs two samples of each series (the histogram is born at 0 with its pair).
    await p.waitFor('a few samples of the switchover histogram', 'count_over_time(mlayer_switchover_duration_seconds_count{pair="stat-a"}[1m])', (s) => value(s[0]) >= 3);
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/mlayer.json'), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const expr = target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '5m');
        const result = await p.query(expr).catch((error: unknown) => {
          throw new Error(`dashboard panel "${panel.title}": ${(error as Error).message}`);
        });
        if (!rare.has(panel.title)) expect(result, `dashboard panel "${panel.title}" (${expr}) finds no series`).to.not.be.empty;
      }
    }
  });
});
