// ScsMetrics as Prometheus sees it: every assertion reads the registry's text exposition.

import { expect } from 'chai';
import { APP_STATUSES, ROLES } from '@mlayer/common';
import { ScsMetrics } from '@mlayer/scs/internal';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`unparsable exposition line: ${line}`);
    const [, name = '', labelText = '', value = ''] = match;
    const labels: Record<string, string> = {};
    for (const [, key = '', val = ''] of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = val;
    samples.push({ name, labels, value: Number(value) });
  }
  return samples;
}

async function samples(metrics: ScsMetrics, name: string): Promise<Sample[]> {
  return parseExposition(await metrics.registry.metrics()).filter((s) => s.name === name);
}

/** The value of the one series with exactly these labels, or undefined when there is none. */
async function value(metrics: ScsMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const found = (await samples(metrics, name)).filter(
    (s) => Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  expect(found.length, `${name}${JSON.stringify(labels)} series`).to.be.at.most(1);
  return found[0]?.value;
}

describe('ScsMetrics', () => {
  let metrics: ScsMetrics;
  beforeEach(() => {
    metrics = new ScsMetrics({ defaultMetrics: false });
  });

  it('shows 1 for the current application status and 0 for every other status', async () => {
    metrics.setAppStatus('stat-a', 'host-a', 'started');
    const series = await samples(metrics, 'mlayer_app_status');
    expect(series).to.have.length(APP_STATUSES.length);
    for (const s of series) {
      expect(s.labels).to.include({ app: 'stat-a', host: 'host-a' });
      expect(s.value, s.labels.status).to.equal(s.labels.status === 'started' ? 1 : 0);
    }
    metrics.setAppStatus('stat-a', 'host-a', 'hung');
    expect(await value(metrics, 'mlayer_app_status', { app: 'stat-a', host: 'host-a', status: 'started' })).to.equal(0);
    expect(await value(metrics, 'mlayer_app_status', { app: 'stat-a', host: 'host-a', status: 'hung' })).to.equal(1);
  });

  it('moves the status series when a reload puts the application on another host', async () => {
    metrics.setAppStatus('stat-a', 'host-a', 'started');
    metrics.setAppStatus('stat-a', 'host-b', 'stopped');
    const series = await samples(metrics, 'mlayer_app_status');
    expect(series.every((s) => s.labels.host === 'host-b')).to.equal(true);
    expect(await value(metrics, 'mlayer_app_status', { app: 'stat-a', host: 'host-b', status: 'stopped' })).to.equal(1);
  });

  it('shows 1 for the acknowledged role and 0 for the others', async () => {
    metrics.setAppRole('stat-b', 'backup');
    for (const role of ROLES) {
      expect(await value(metrics, 'mlayer_app_role', { app: 'stat-b', role })).to.equal(role === 'backup' ? 1 : 0);
    }
    metrics.setAppRole('stat-b', 'primary');
    expect(await value(metrics, 'mlayer_app_role', { app: 'stat-b', role: 'primary' })).to.equal(1);
    expect(await value(metrics, 'mlayer_app_role', { app: 'stat-b', role: 'backup' })).to.equal(0);
  });

  it('keeps exactly one status and one role at 1 through any sequence of changes, and all series again after a removal', async () => {
    const sequence = ['start-pending', 'initializing', 'started', 'started', 'hung', 'stopped', 'start-pending'] as const;
    const roles = ['backup', 'primary', 'primary', 'backup', 'none'] as const;
    for (const [i, status] of sequence.entries()) {
      metrics.setAppStatus('stat-a', 'host-a', status);
      metrics.setAppRole('stat-a', roles[i % roles.length] ?? 'none');
      const ones = (await samples(metrics, 'mlayer_app_status')).filter((x) => x.value === 1).map((x) => x.labels.status);
      expect(ones).to.deep.equal([status]);
      const roleOnes = (await samples(metrics, 'mlayer_app_role')).filter((x) => x.value === 1).map((x) => x.labels.role);
      expect(roleOnes).to.deep.equal([roles[i % roles.length]]);
    }
    metrics.removeApp('stat-a');
    metrics.setAppStatus('stat-a', 'host-a', 'stopped');
    metrics.setAppRole('stat-a', 'none');
    expect(await samples(metrics, 'mlayer_app_status')).to.have.length(APP_STATUSES.length);
    expect(await samples(metrics, 'mlayer_app_role')).to.have.length(ROLES.length);
    metrics.setPairState('stat-a', ['stat-a', 'stat-b'], 'stat-a', true);
    metrics.removePair('stat-a');
    metrics.setPairState('stat-a', ['stat-a', 'stat-b'], 'stat-a', true);
    expect(await value(metrics, 'mlayer_pair_primary', { pair: 'stat-a', app: 'stat-a' })).to.equal(1);
    expect(await value(metrics, 'mlayer_pair_protected', { pair: 'stat-a' })).to.equal(1);
  });

  it('counts restarts from 0 as soon as the application is known', async () => {
    metrics.setAppStatus('stat-a', 'host-a', 'start-pending');
    expect(await value(metrics, 'mlayer_app_restarts_total', { app: 'stat-a' })).to.equal(0);
    metrics.countRestart('stat-a');
    metrics.countRestart('stat-a');
    metrics.setAppStatus('stat-a', 'host-a', 'started');
    expect(await value(metrics, 'mlayer_app_restarts_total', { app: 'stat-a' })).to.equal(2);
  });

  it('counts switchovers by pair and reason and observes their duration in a 1 ms .. 30 s histogram', async () => {
    metrics.recordSwitchover('stat-a', 'hang', 0.004);
    metrics.recordSwitchover('stat-a', 'hang', 12);
    metrics.recordSwitchover('stat-a', 'manual', 0.2);
    metrics.recordSwitchover('stat-a', 'host-failure');
    expect(await value(metrics, 'mlayer_switchovers_total', { pair: 'stat-a', reason: 'hang' })).to.equal(2);
    expect(await value(metrics, 'mlayer_switchovers_total', { pair: 'stat-a', reason: 'manual' })).to.equal(1);
    expect(await value(metrics, 'mlayer_switchovers_total', { pair: 'stat-a', reason: 'host-failure' })).to.equal(1);
    expect(await value(metrics, 'mlayer_switchover_duration_seconds_count', { pair: 'stat-a' })).to.equal(3);
    expect(await value(metrics, 'mlayer_switchover_duration_seconds_sum', { pair: 'stat-a' })).to.be.closeTo(12.204, 1e-9);
    const buckets = (await samples(metrics, 'mlayer_switchover_duration_seconds_bucket')).map((s) => s.labels.le);
    expect(buckets[0]).to.equal('0.001');
    expect(buckets).to.include('30');
    expect(await value(metrics, 'mlayer_switchover_duration_seconds_bucket', { pair: 'stat-a', le: '0.005' })).to.equal(1);
    expect(await value(metrics, 'mlayer_switchover_duration_seconds_bucket', { pair: 'stat-a', le: '0.25' })).to.equal(2);
    expect(await value(metrics, 'mlayer_switchover_duration_seconds_bucket', { pair: 'stat-a', le: '+Inf' })).to.equal(3);
  });

  it('starts a pair\'s switchover counters and duration histogram at 0, so that increase() sees its first switchover', async () => {
    metrics.initPair('stat-a', ['config-server']);
    expect(await value(metrics, 'mlayer_switchovers_total', { pair: 'stat-a', reason: 'process-failure' })).to.equal(0);
    expect(await value(metrics, 'mlayer_switchover_blocked_total', { pair: 'stat-a', guard: 'config-server' })).to.equal(0);
    expect(await value(metrics, 'mlayer_switchover_duration_seconds_count', { pair: 'stat-a' })).to.equal(0);
    expect(await value(metrics, 'mlayer_switchover_duration_seconds_bucket', { pair: 'stat-a', le: '+Inf' })).to.equal(0);
    metrics.recordSwitchover('stat-a', 'process-failure', 0.01);
    expect(await value(metrics, 'mlayer_switchover_duration_seconds_count', { pair: 'stat-a' })).to.equal(1);
  });

  it('counts blocked switchovers by pair and guard', async () => {
    metrics.countBlocked('cfg-a', 'config-server');
    metrics.countBlocked('cfg-a', 'config-server');
    expect(await value(metrics, 'mlayer_switchover_blocked_total', { pair: 'cfg-a', guard: 'config-server' })).to.equal(2);
  });

  it('shows each LCA link as 1 or 0', async () => {
    metrics.setLcaConnected('host-a', true);
    metrics.setLcaConnected('host-b', false);
    expect(await value(metrics, 'mlayer_lca_connected', { host: 'host-a' })).to.equal(1);
    expect(await value(metrics, 'mlayer_lca_connected', { host: 'host-b' })).to.equal(0);
    metrics.setLcaConnected('host-a', false);
    expect(await value(metrics, 'mlayer_lca_connected', { host: 'host-a' })).to.equal(0);
  });

  it('shows the SCS role as 1/0 over primary and backup, and the epoch', async () => {
    metrics.setScsRole('backup');
    metrics.setEpoch(4);
    expect(await value(metrics, 'mlayer_scs_role', { role: 'backup' })).to.equal(1);
    expect(await value(metrics, 'mlayer_scs_role', { role: 'primary' })).to.equal(0);
    expect(await value(metrics, 'mlayer_scs_epoch')).to.equal(4);
    metrics.setScsRole('primary');
    metrics.setEpoch(5);
    expect(await value(metrics, 'mlayer_scs_role', { role: 'primary' })).to.equal(1);
    expect(await value(metrics, 'mlayer_scs_role', { role: 'backup' })).to.equal(0);
    expect(await value(metrics, 'mlayer_scs_epoch')).to.equal(5);
  });

  it('drops every series of an application, pair or host removed by a config reload', async () => {
    for (const app of ['stat-a', 'stat-b']) {
      metrics.setAppStatus(app, 'host-a', 'started');
      metrics.setAppRole(app, 'primary');
      metrics.countRestart(app);
    }
    metrics.recordSwitchover('stat-a', 'manual', 1);
    metrics.countBlocked('stat-a', 'config-server');
    metrics.setLcaConnected('host-z', true);
    metrics.removeApp('stat-a');
    metrics.removePair('stat-a');
    metrics.removeHost('host-z');
    const text = await metrics.registry.metrics();
    expect(text).not.to.contain('stat-a');
    expect(text).not.to.contain('host-z');
    expect(await value(metrics, 'mlayer_app_restarts_total', { app: 'stat-b' })).to.equal(1);
    expect(await value(metrics, 'mlayer_app_status', { app: 'stat-b', host: 'host-a', status: 'started' })).to.equal(1);
  });

  it('carries the ADDP link metrics on the same registry', async () => {
    metrics.addp.rtt('host-a', 0.0003);
    metrics.addp.timeout('host-a');
    expect(await value(metrics, 'mlayer_addp_rtt_seconds_count', { peer: 'host-a' })).to.equal(1);
    expect(await value(metrics, 'mlayer_addp_timeouts_total', { peer: 'host-a' })).to.equal(1);
  });

  it('collects the default process metrics unless told not to', async () => {
    const withDefaults = new ScsMetrics();
    expect(await withDefaults.registry.metrics()).to.contain('process_cpu_user_seconds_total');
    expect(await metrics.registry.metrics()).not.to.contain('process_cpu_user_seconds_total');
  });
});
