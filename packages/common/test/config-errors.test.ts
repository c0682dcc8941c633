// A bad configuration file is refused with every problem at once, each as FILE:LINE: message,
// in line order, with the line of the offending key (or of the mapping a required key is missing from).

import { expect } from 'chai';
import { ConfigError, parseConfig } from '@mlayer/common/config';

/** The problems of a file whose text starts on the line after the opening backtick; indentation is removed. */
function problems(source: string): string[] {
  const lines = source.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0));
  try {
    parseConfig(`${lines.map((l) => l.slice(indent)).join('\n')}\n`, 'config.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return expect.fail('the configuration was accepted');
}

/** Two hosts, on one line. */
const HOSTS = 'hosts: [{ name: host-a, lca: "127.0.0.1:4999" }, { name: host-b, lca: "127.0.0.1:5000" }]';

describe('configuration: problems', () => {
  it('reports YAML syntax errors with their line', () => {
    expect(problems(`
      scs: {}
      hosts:
        - name: host-a
          lca: [127.0.0.1:4999
      applications: []
    `)).to.deep.equal([
      'config.yaml:5: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(problems(`
      scs: {}
      scs: {}
    `)).to.deep.equal(['config.yaml:2: key "scs" appears twice in the same mapping; keep one']);
    expect(problems('scs:\n\t id: a\n')).to.deep.equal(['config.yaml:2: YAML does not allow tabs for indentation; indent with spaces']);
  });

  it('refuses an empty file and a file that is not a mapping', () => {
    expect(problems('\n# nothing\n')).to.deep.equal(['config.yaml:1: the file is empty; it must be a mapping with the keys scs, hosts and applications']);
    expect(problems('- a\n')).to.deep.equal(['config.yaml:1: the file holds a list; it must be a mapping with the keys scs, hosts and applications']);
  });

  it('reports unknown keys at their line, suggesting the key meant', () => {
    expect(problems(`
      scs:
        tokenfile: ./token
      ${HOSTS}
      applications:
        - name: stat-a
          host: host-a
          command: app
          colour: blue
      extra: 1
    `)).to.deep.equal([
      'config.yaml:2: scs.tokenfile: unknown key; did you mean "tokenFile"?',
      'config.yaml:8: applications[0].colour: unknown key; the keys here are name, host, command, args, cwd, env, autostart, autoRestart, restart, startTimeout, stopTimeout, addp, kind, redundancy, backup, requireSync, flapping, switchoverTimeout',
      'config.yaml:9: extra: unknown key; the keys here are scs, hosts, applications',
    ]);
  });

  it('reports a missing required key at the line of the mapping it is missing from', () => {
    expect(problems(`
      scs: {}
      hosts:
        - name: host-a
      applications:
        - name: stat-a
          command: app
    `)).to.deep.equal([
      'config.yaml:3: hosts[0].lca: is required',
      'config.yaml:5: applications[0].host: is required',
    ]);
    expect(problems(`
      scs:
        listenPeer: 127.0.0.1:5198
        host: host-a
        peer:
          host: host-b
      ${HOSTS}
      applications: []
    `)).to.deep.equal([
      'config.yaml:4: scs.peer.id: is required',
      'config.yaml:4: scs.peer.address: is required',
    ]);
    expect(problems('hosts: []\n')).to.deep.equal([
      'config.yaml:1: scs: is required',
      'config.yaml:1: hosts: needs at least one host',
      'config.yaml:1: applications: is required',
    ]);
  });

  it('reports wrong types with the value found', () => {
    expect(problems(`
      scs: []
      ${HOSTS}
      applications:
        - name: stat-a
          host: host-a
          command: [app]
          autostart: "yes"
          args: --port 7101
          env: { A: [1] }
          kind: database
    `)).to.deep.equal([
      'config.yaml:1: scs: must be a mapping (key: value); got a list',
      'config.yaml:6: applications[0].command: must be text; got a list',
      'config.yaml:7: applications[0].autostart: must be true or false; got "yes"',
      'config.yaml:8: applications[0].args: must be a list; got "--port 7101"',
      'config.yaml:9: applications[0].env.A: must be text, a number or true/false; got a list',
      'config.yaml:10: applications[0].kind: must be one of generic, config-server; got "database"',
    ]);
  });

  it('reports bad durations: not seconds, negative, ADDP timeouts out of range', () => {
    expect(problems(`
      scs:
        addp: { timeout: 0.05, remoteTimeout: 4000, trace: verbose }
        disconnectSwitchoverTimeout: -1
        startWindow: 10s
      ${HOSTS}
      applications:
        - name: stat-a
          host: host-a
          command: app
          addp: { timeout: 0 }
          restart: { initialDelay: 0, maxDelay: 30 }
          startTimeout: "5"
          switchoverTimeout: 0
          redundancy: hot-standby
          backup: stat-b
        - name: stat-b
          host: host-b
          command: app
          restart: { initialDelay: 2, maxDelay: 1 }
    `)).to.deep.equal([
      'config.yaml:2: scs.addp.timeout: must be between 0.1 and 3600 seconds, or 0 to disable; got 0.05',
      'config.yaml:2: scs.addp.remoteTimeout: must be between 0.1 and 3600 seconds, or 0 to disable; got 4000',
      'config.yaml:2: scs.addp.trace: must be one of off, local, remote, full; got "verbose"',
      'config.yaml:3: scs.disconnectSwitchoverTimeout: must not be negative; got -1',
      'config.yaml:4: scs.startWindow: must be a number of seconds (decimals allowed, e.g. 0.5); got "10s"',
      'config.yaml:11: applications[0].restart.initialDelay: must be more than 0 seconds; got 0',
      'config.yaml:12: applications[0].startTimeout: must be a number of seconds (decimals allowed, e.g. 0.5); got "5"',
      'config.yaml:13: applications[0].switchoverTimeout: must be more than 0 seconds; got 0',
      'config.yaml:19: applications[1].restart.maxDelay: must be at least restart.initialDelay (2 s)',
    ]);
  });

  it('reports bad addresses', () => {
    expect(problems(`
      scs:
        http: localhost
        listenPeer: 127.0.0.1:70000
        host: host-a
        peer: { id: scs-b, host: host-b, address: "127.0.0.1:0" }
      hosts:
        - name: host-a
          lca: 4999
        - name: host-b
          lca: 127.0.0.1:1000
        - name: host-c
          lca: 127.0.0.1:4999
      applications: []
    `)).to.deep.equal([
      'config.yaml:2: scs.http: must be HOST:PORT (e.g. 127.0.0.1:4999); got "localhost"',
      'config.yaml:3: scs.listenPeer: port 70000 is above 65535; got "127.0.0.1:70000"',
      'config.yaml:5: scs.peer.address: must name the real port (0 cannot be connected to); got "127.0.0.1:0"',
      'config.yaml:8: hosts[0].lca: must be HOST:PORT (e.g. 127.0.0.1:4999); got 4999',
      'config.yaml:12: hosts[2].lca: 127.0.0.1:4999 is already the LCA of host-b; every host has its own LCA',
    ]);
  });

  it('reports bad and duplicated names of hosts and applications', () => {
    expect(problems(`
      scs: { id: SCS }
      hosts:
        - name: host-a
          lca: 127.0.0.1:4999
        - name: host-a
          lca: 127.0.0.1:5000
        - name: Host_C
          lca: 127.0.0.1:5001
      applications:
        - { name: stat-a, host: host-a, command: app }
        - { name: stat-a, host: host-a, command: app }
        - { name: -stat, host: host-a, command: app }
    `)).to.deep.equal([
      'config.yaml:1: scs.id: is not a valid name: use lowercase letters, digits and "-", starting with a letter or digit; got "SCS"',
      'config.yaml:5: hosts[1].name: "host-a" is already the name of hosts[0]; names must be unique',
      'config.yaml:7: hosts[2].name: is not a valid name: use lowercase letters, digits and "-", starting with a letter or digit; got "Host_C"',
      'config.yaml:11: applications[1].name: "stat-a" is already the name of applications[0]; names must be unique',
      'config.yaml:12: applications[2].name: is not a valid name: use lowercase letters, digits and "-", starting with a letter or digit; got "-stat"',
    ]);
  });

  it('reports invalid environment variable names', () => {
    expect(problems(`
      scs: {}
      ${HOSTS}
      applications:
        - name: stat-a
          host: host-a
          command: app
          env: { "A=B": x, OK: y }
    `)).to.deep.equal(['config.yaml:7: applications[0].env["A=B"]: is not a valid name: it must not be empty or contain "="']);
  });

  it('does not report every host reference again when hosts is not a list', () => {
    expect(problems(`
      scs: { host: host-a }
      hosts: { name: host-a, lca: 127.0.0.1:4999 }
      applications:
        - { name: stat-a, host: host-a, command: app }
    `)).to.deep.equal(['config.yaml:2: hosts: must be a list; got a mapping']);
  });

  it('reports an application on a host that is not in the file', () => {
    expect(problems(`
      scs: {}
      ${HOSTS}
      applications:
        - name: stat-a
          host: host-c
          command: app
    `)).to.deep.equal(['config.yaml:5: applications[0].host: "host-c" is not a host in this file (hosts: host-a, host-b)']);
  });

  it('reports a backup that is unknown, itself, taken by another primary, or a primary itself', () => {
    expect(problems(`
      scs: {}
      ${HOSTS}
      applications:
        - { name: stat-a, host: host-a, command: app, redundancy: hot-standby, backup: stat-b }
        - { name: stat-b, host: host-b, command: app, redundancy: hot-standby, backup: stat-c }
        - { name: stat-c, host: host-b, command: app, redundancy: hot-standby, backup: stat-c }
        - { name: stat-d, host: host-b, command: app, redundancy: hot-standby, backup: stat-b }
        - { name: stat-e, host: host-b, command: app, redundancy: warm-standby, backup: stat-x }
    `)).to.deep.equal([
      'config.yaml:4: applications[0].backup: "stat-b" has a backup itself (stat-c); a backup cannot have a backup',
      'config.yaml:5: applications[1].backup: "stat-c" has a backup itself (stat-c); a backup cannot have a backup',
      'config.yaml:6: applications[2].backup: "stat-c" is this application itself; name another application as its backup',
      'config.yaml:7: applications[3].backup: "stat-b" is already the backup of stat-a; a backup belongs to exactly one primary',
      'config.yaml:8: applications[4].backup: "stat-x" is not an application in this file (applications: stat-a, stat-b, stat-c, stat-d, stat-e)',
    ]);
  });

  it('reports redundancy without a backup and a backup without redundancy', () => {
    expect(problems(`
      scs: {}
      ${HOSTS}
      applications:
        - { name: stat-a, host: host-a, command: app, redundancy: warm-standby }
        - { name: stat-b, host: host-b, command: app, backup: stat-c }
        - { name: stat-c, host: host-b, command: app }
        - { name: stat-d, host: host-a, command: app, redundancy: none, backup: stat-e }
        - { name: stat-e, host: host-b, command: app, redundancy: hot-standby }
    `)).to.deep.equal([
      'config.yaml:4: applications[0].redundancy: warm-standby needs a backup: add backup: NAME, or set redundancy: none',
      'config.yaml:5: applications[1].backup: a pair needs redundancy: warm-standby or hot-standby on its primary (here redundancy is none)',
      'config.yaml:7: applications[3].backup: a pair needs redundancy: warm-standby or hot-standby on its primary (here redundancy is none)',
      'config.yaml:8: applications[4].redundancy: is set on the primary only: stat-e is the backup of stat-d; remove it here',
    ]);
  });

  it('reports a pair whose members differ in kind, and pair options off a hot-standby primary', () => {
    expect(problems(`
      scs: {}
      ${HOSTS}
      applications:
        - name: cs-a
          host: host-a
          command: confserv
          kind: config-server
          redundancy: warm-standby
          backup: cs-b
          requireSync: true
        - name: cs-b
          host: host-b
          command: confserv
          switchoverTimeout: 3
        - name: stat-a
          host: host-a
          command: app
          flapping: { maxSwitchovers: 2 }
    `)).to.deep.equal([
      'config.yaml:9: applications[0].backup: "cs-b" is kind generic but cs-a is kind config-server; both applications of a pair must have the same kind',
      'config.yaml:10: applications[0].requireSync: needs redundancy: hot-standby (a warm standby backup does not keep in sync)',
      'config.yaml:14: applications[1].switchoverTimeout: is a pair option; set it on cs-a, the primary of this pair',
      'config.yaml:18: applications[2].flapping: is a pair option; set it on the primary, the application with backup',
    ]);
  });

  it('reports an SCS pair without listenPeer and host, and hosts that are not in the file', () => {
    expect(problems(`
      scs:
        id: scs-a
        peer:
          id: scs-a
          host: host-z
          address: 127.0.0.1:5199
      ${HOSTS}
      applications: []
    `)).to.deep.equal([
      'config.yaml:1: scs.listenPeer: is required when scs.peer is set: the HOST:PORT where this SCS accepts its peer',
      'config.yaml:1: scs.host: is required when scs.peer is set: the host (one of hosts) this SCS runs on',
      'config.yaml:4: scs.peer.id: must differ from scs.id ("scs-a")',
      'config.yaml:5: scs.peer.host: "host-z" is not a host in this file (hosts: host-a, host-b)',
    ]);
    expect(problems(`
      scs: { host: host-q }
      ${HOSTS}
      applications: []
    `)).to.deep.equal(['config.yaml:1: scs.host: "host-q" is not a host in this file (hosts: host-a, host-b)']);
  });

  it('reports every problem of a file, from the schema and from the cross-references alike, in line order', () => {
    const found = problems(`
      scs:
        http: 127.0.0.1:5099
        journal: ./var
        addp: { trace: loud }
      hosts:
        - name: host-a
          lca: 127.0.0.1:4999
      applications:
        - name: stat-a
          host: host-b
          command: app
          stopTimeout: -2
          redundancy: hot-standby
          backup: stat-c
        - name: stat-b
          host: host-a
          command: app
          kind: config-server
          tokenFile: x
    `);
    expect(found).to.deep.equal([
      'config.yaml:4: scs.addp.trace: must be one of off, local, remote, full; got "loud"',
      'config.yaml:10: applications[0].host: "host-b" is not a host in this file (hosts: host-a)',
      'config.yaml:12: applications[0].stopTimeout: must not be negative; got -2',
      'config.yaml:14: applications[0].backup: "stat-c" is not an application in this file (applications: stat-a, stat-b)',
      'config.yaml:19: applications[1].tokenFile: unknown key; the keys here are name, host, command, args, cwd, env, autostart, autoRestart, restart, startTimeout, stopTimeout, addp, kind, redundancy, backup, requireSync, flapping, switchoverTimeout',
    ]);
  });

  it('carries the problems in a ConfigError whose message is a one-line summary', () => {
    let caught: unknown;
    try {
      parseConfig('scs: {}\nhosts: []\napplications: []\n', 'site.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).to.equal('ECONFIG');
    expect(error.file).to.equal('site.yaml');
    expect(error.problems).to.deep.equal(['site.yaml:2: hosts: needs at least one host']);
    expect(error.message).to.equal('site.yaml is not a valid configuration (1 problem)');
  });
});
