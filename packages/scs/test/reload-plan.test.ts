// What a configuration reload changes, planned as data.

import { expect } from 'chai';
import { type ApplicationSpec, type PairSpec, type Solution, planReload } from '@mlayer/scs/internal';

const app = (name: string, host: string, pair: string | null, port = 7000): ApplicationSpec => ({
  spec: { name, command: 'mlayer-demo-app', args: ['--port', String(port)], env: {}, addpTimeoutMs: 1000, startTimeoutMs: 10_000, stopTimeoutMs: 10_000 },
  host, kind: 'generic', redundancy: pair === null ? 'none' : 'warm-standby', autostart: true, autoRestart: true, restart: { initialMs: 500, maxMs: 30_000 }, pair,
});
const pairSpec = (primary: string, backup: string, patch: Partial<PairSpec> = {}): PairSpec => ({
  name: primary, primary, backup, kind: 'generic', redundancy: 'warm-standby', requireSync: false,
  flapping: { maxSwitchovers: 3, windowMs: 60_000 }, switchoverTimeoutMs: 5000, startWindowMs: 10_000, ...patch,
});
const solution = (patch: Partial<Solution> = {}): Solution => ({
  scs: { id: 'scs-a', http: { host: '127.0.0.1', port: 5099 }, journalDir: '/tmp/j', addp: { timeoutMs: 3000, remoteTimeoutMs: 3000, trace: 'off' }, disconnectSwitchoverTimeoutMs: 0, startWindowMs: 10_000 },
  hosts: [{ name: 'h1', lca: { host: '127.0.0.1', port: 4999 } }, { name: 'h2', lca: { host: '127.0.0.1', port: 5000 } }],
  applications: [app('a', 'h1', 'a'), app('b', 'h2', 'a'), app('solo', 'h1', null)],
  pairs: [pairSpec('a', 'b')],
  ...patch,
});

describe('reload plan', () => {
  it('plans nothing for an identical configuration', () => {
    expect(planReload(solution(), solution())).to.deep.equal({ dropHosts: [], addHosts: [], removeApps: [], addApps: [], updateApps: [], restartPairs: [], addPairs: [] });
  });

  it('a changed spec is an update only: the running application and its pair are left alone', () => {
    const next = solution({ applications: [app('a', 'h1', 'a', 7100), app('b', 'h2', 'a'), app('solo', 'h1', null)] });
    const plan = planReload(solution(), next);
    expect(plan.updateApps.map((a) => a.spec.name)).to.deep.equal(['a']);
    expect(plan.restartPairs).to.deep.equal([]);
  });

  it('new and removed applications and hosts', () => {
    const next = solution({
      hosts: [{ name: 'h1', lca: { host: '127.0.0.1', port: 4999 } }, { name: 'h3', lca: { host: '127.0.0.1', port: 5001 } }],
      applications: [app('a', 'h1', 'a'), app('b', 'h1', 'a'), app('extra', 'h3', null)],
    });
    const plan = planReload(solution(), next);
    expect(plan.dropHosts).to.deep.equal(['h2']);
    expect(plan.addHosts.map((h) => h.name)).to.deep.equal(['h3']);
    expect(plan.removeApps).to.deep.equal(['solo']);
    expect(plan.addApps.map((a) => a.spec.name)).to.deep.equal(['extra']);
    expect(plan.restartPairs).to.deep.equal(['a']); // b moved host
    expect(plan.addPairs.map((p) => p.name)).to.deep.equal(['a']);
  });

  it('a changed LCA address drops and re-adds the host', () => {
    const next = solution({ hosts: [{ name: 'h1', lca: { host: '127.0.0.1', port: 4999 } }, { name: 'h2', lca: { host: '127.0.0.1', port: 6000 } }] });
    const plan = planReload(solution(), next);
    expect(plan.dropHosts).to.deep.equal(['h2']);
    expect(plan.addHosts.map((h) => h.name)).to.deep.equal(['h2']);
  });

  it('changed pair settings replace the pair machine; a removed pair is stopped', () => {
    expect(planReload(solution(), solution({ pairs: [pairSpec('a', 'b', { switchoverTimeoutMs: 9000 })] })).restartPairs).to.deep.equal(['a']);
    const removed = planReload(solution(), solution({ applications: [app('a', 'h1', null), app('b', 'h2', null), app('solo', 'h1', null)], pairs: [] }));
    expect(removed.restartPairs).to.deep.equal(['a']);
    expect(removed.addPairs).to.deep.equal([]);
  });
});
