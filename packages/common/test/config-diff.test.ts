// What a SIGHUP reload changes: applications, hosts and pairs added, removed or changed, and
// SCS settings that wait for a restart, with one readable line per change.

import { expect } from 'chai';
import { type LoadedConfig, diffConfigs, parseConfig } from '@mlayer/common/config';

const BASE = {
  scs: 'scs: { id: scs-a, http: "127.0.0.1:5099" }',
  hosts: ['  - { name: host-a, lca: "127.0.0.1:4999" }', '  - { name: host-b, lca: "127.0.0.1:5000" }'],
  applications: [
    '  - { name: stat-a, host: host-a, command: app, args: ["--port", "7101"], redundancy: hot-standby, backup: stat-b }',
    '  - { name: stat-b, host: host-b, command: app, args: ["--port", "7102"] }',
    '  - { name: solo, host: host-a, command: solo }',
  ],
};

function config(edit: Partial<typeof BASE> = {}): LoadedConfig {
  const { scs, hosts, applications } = { ...BASE, ...edit };
  return parseConfig([scs, 'hosts:', ...hosts, 'applications:', ...applications].join('\n'), '/etc/mlayer/config.yaml');
}

const apps = (...lines: (string | undefined)[]) => lines.filter((l): l is string => l !== undefined);
const [STAT_A, STAT_B, SOLO] = BASE.applications;

describe('configuration: reload differences', () => {
  it('finds nothing between equal files', () => {
    const changes = diffConfigs(config(), config());
    expect(changes.empty).to.equal(true);
    expect(changes.describe()).to.deep.equal([]);
  });

  it('finds added and removed applications', () => {
    const next = config({ applications: apps(STAT_A, STAT_B, '  - { name: stat-c, host: host-b, command: stat }') });
    const changes = diffConfigs(config(), next);
    expect(changes.applications.added).to.deep.equal(['stat-c']);
    expect(changes.applications.removed).to.deep.equal(['solo']);
    expect(changes.applications.changed).to.deep.equal([]);
    expect(changes.empty).to.equal(false);
    expect(changes.describe()).to.deep.equal(['application stat-c added', 'application solo removed']);
  });

  it('finds an application whose AppSpec, host or restart policy changed', () => {
    const next = config({
      applications: apps(STAT_A, STAT_B, '  - { name: solo, host: host-b, command: solo, env: { A: x }, stopTimeout: 3, autoRestart: false }'),
    });
    const changes = diffConfigs(config(), next);
    expect(changes.applications.changed).to.deep.equal([{ name: 'solo', fields: ['host', 'env', 'stopTimeout', 'autoRestart'] }]);
    expect(changes.pairs.changed).to.deep.equal([]);
    expect(changes.describe()).to.deep.equal(['application solo changed: host, env, stopTimeout, autoRestart']);
  });

  it('counts a change of pair settings for the pair and for both of its members', () => {
    const next = config({
      applications: apps(
        '  - { name: stat-a, host: host-a, command: app, args: ["--port", "7101"], redundancy: hot-standby, backup: stat-b, requireSync: true, flapping: { window: 120 } }',
        STAT_B,
        SOLO,
      ),
    });
    const changes = diffConfigs(config(), next);
    expect(changes.pairs.changed).to.deep.equal([{ name: 'stat-a', fields: ['requireSync', 'flapping'] }]);
    expect(changes.applications.changed).to.deep.equal([
      { name: 'stat-a', fields: ['requireSync', 'flapping'] },
      { name: 'stat-b', fields: ['requireSync', 'flapping'] },
    ]);
    expect(changes.describe()).to.deep.equal([
      'application stat-a changed: requireSync, flapping',
      'application stat-b changed: requireSync, flapping',
      'pair stat-a changed: requireSync, flapping',
    ]);
  });

  it('finds pairs formed and dissolved, and the members whose place in a pair changed', () => {
    const next = config({
      applications: apps(
        '  - { name: stat-a, host: host-a, command: app, args: ["--port", "7101"] }',
        '  - { name: stat-b, host: host-b, command: app, args: ["--port", "7102"], redundancy: warm-standby, backup: solo }',
        SOLO,
      ),
    });
    const changes = diffConfigs(config(), next);
    expect(changes.pairs.added).to.deep.equal(['stat-b']);
    expect(changes.pairs.removed).to.deep.equal(['stat-a']);
    expect(changes.describe()).to.deep.equal([
      'application stat-a changed: redundancy, pair',
      'application stat-b changed: redundancy, pair',
      'application solo changed: redundancy, pair',
      'pair stat-b added',
      'pair stat-a removed',
    ]);
  });

  it('finds hosts added, removed and moved to another LCA address', () => {
    const next = config({ hosts: ['  - { name: host-a, lca: "127.0.0.1:4999" }', '  - { name: host-b, lca: "10.0.0.2:4999" }', '  - { name: host-c, lca: "10.0.0.3:4999" }'] });
    const changes = diffConfigs(config(), next);
    expect(changes.hosts).to.deep.equal({ added: ['host-c'], removed: [], changed: [{ name: 'host-b', fields: ['lca'] }] });
    expect(changes.describe()).to.deep.equal(['host host-c added', 'host host-b changed: lca 127.0.0.1:5000 -> 10.0.0.2:4999']);
    const fewer = diffConfigs(next, config({ hosts: ['  - { name: host-a, lca: "127.0.0.1:4999" }', '  - { name: host-b, lca: "10.0.0.2:4999" }'] }));
    expect(fewer.describe()).to.deep.equal(['host host-c removed']);
  });

  it('marks SCS settings that take effect only after a restart', () => {
    const next = config({ scs: 'scs: { id: scs-a, http: "127.0.0.1:5100", disconnectSwitchoverTimeout: 2, addp: { trace: full } }' });
    const changes = diffConfigs(config(), next);
    expect(changes.scs).to.deep.equal([
      { key: 'http', restartRequired: true },
      { key: 'addp', restartRequired: true },
      { key: 'disconnectSwitchoverTimeout', restartRequired: false },
    ]);
    expect(changes.describe()).to.deep.equal([
      'scs.http changed (takes effect after the SCS restarts)',
      'scs.addp changed (takes effect after the SCS restarts)',
      'scs.disconnectSwitchoverTimeout changed',
    ]);
  });
});
