// Loading the configuration file of CONTRACT.md section 3: the contract's example and the
// defaults come out normalized (milliseconds, absolute paths, derived pairs and AppSpecs).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { z } from 'zod';
import { MlayerError } from '@mlayer/common';
import { ConfigError, configSchema, loadConfig, parseConfig } from '@mlayer/common/config';

const FIXTURES = fileURLToPath(new URL('./fixtures/config/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

describe('configuration: loading', () => {
  describe("the contract's example file", () => {
    const config = loadConfig(fixture('contract.yaml'));
    const dir = dirname(config.file);

    it('loads the scs section with durations in ms and paths relative to the file', () => {
      expect(config.file).to.equal(fixture('contract.yaml'));
      expect(config.scs).to.deep.equal({
        id: 'scs-a',
        http: { host: '127.0.0.1', port: 5099 },
        journal: join(dir, 'var/scs-a'),
        tokenFile: join(dir, 'secrets/api-token'),
        lcaSecretFile: join(dir, 'secrets/lca'),
        addp: { timeoutMs: 3000, remoteTimeoutMs: 3000, trace: 'off' },
        disconnectSwitchoverTimeoutMs: 0,
        startWindowMs: 10_000,
        peer: { id: 'scs-b', host: 'host-b', address: { host: '127.0.0.1', port: 5199 } },
        listenPeer: { host: '127.0.0.1', port: 5198 },
        host: 'host-a',
        preferredPrimary: true,
      });
    });

    it('loads the hosts with parsed LCA addresses', () => {
      expect(config.hosts).to.deep.equal([
        { name: 'host-a', lca: { host: '127.0.0.1', port: 4999 } },
        { name: 'host-b', lca: { host: '127.0.0.1', port: 5000 } },
      ]);
    });

    it('derives the AppSpec the LCA receives for each application', () => {
      expect(config.appSpecs.get('stat-a')).to.deep.equal({
        name: 'stat-a',
        command: 'mlayer-demo-app',
        args: ['--port', '7101'],
        cwd: dir,
        env: { LOG_LEVEL: 'info' },
        addpTimeoutMs: 2000,
        startTimeoutMs: 10_000,
        stopTimeoutMs: 10_000,
      });
      expect(config.appSpecs.get('stat-b')).to.deep.equal({
        name: 'stat-b',
        command: 'mlayer-demo-app',
        args: ['--port', '7102'],
        cwd: dir,
        env: {},
        addpTimeoutMs: 2000,
        startTimeoutMs: 10_000,
        stopTimeoutMs: 10_000,
      });
      expect(config.applications.map((app) => app.spec)).to.deep.equal([...config.appSpecs.values()]);
    });

    it('derives the pair, the host of each application and each member role', () => {
      expect(config.pairs).to.deep.equal([
        {
          name: 'stat-a',
          primary: 'stat-a',
          backup: 'stat-b',
          redundancy: 'hot-standby',
          kind: 'generic',
          requireSync: false,
          flapping: { maxSwitchovers: 3, windowMs: 60_000 },
          switchoverTimeoutMs: 5000,
        },
      ]);
      expect([...config.appHost]).to.deep.equal([['stat-a', 'host-a'], ['stat-b', 'host-b']]);
      const [a, b] = config.applications;
      expect([a?.pair, a?.configuredRole, a?.redundancy]).to.deep.equal(['stat-a', 'primary', 'hot-standby']);
      expect([b?.pair, b?.configuredRole, b?.redundancy]).to.deep.equal(['stat-a', 'backup', 'hot-standby']);
      expect(b?.restart).to.deep.equal({ initialDelayMs: 500, maxDelayMs: 30_000 });
      expect([b?.autostart, b?.autoRestart, b?.kind]).to.deep.equal([true, true, 'generic']);
    });
  });

  describe('defaults', () => {
    const config = loadConfig(fixture('minimal.yaml'));
    const dir = dirname(config.file);

    it('fills the scs section', () => {
      expect(config.scs).to.deep.equal({
        id: 'scs',
        http: { host: '127.0.0.1', port: 5099 },
        journal: join(dir, 'var/scs'),
        tokenFile: null,
        lcaSecretFile: null,
        addp: { timeoutMs: 3000, remoteTimeoutMs: 3000, trace: 'off' },
        disconnectSwitchoverTimeoutMs: 0,
        startWindowMs: 10_000,
        peer: null,
        listenPeer: null,
        host: null,
        preferredPrimary: true,
      });
    });

    it('reads an LCA port of 1999 or lower as 4999', () => {
      expect(config.hosts[0]?.lca).to.deep.equal({ host: '127.0.0.1', port: 4999 });
    });

    it('fills an application', () => {
      expect(config.applications[0]).to.deep.equal({
        name: 'stat-a',
        host: 'host-a',
        spec: {
          name: 'stat-a',
          command: 'mlayer-demo-app',
          args: [],
          cwd: dir,
          env: {},
          addpTimeoutMs: 2000,
          startTimeoutMs: 10_000,
          stopTimeoutMs: 10_000,
        },
        autostart: true,
        autoRestart: true,
        restart: { initialDelayMs: 500, maxDelayMs: 30_000 },
        kind: 'generic',
        redundancy: 'none',
        pair: null,
        configuredRole: 'none',
      });
    });

    it('fills the pair options of a primary', () => {
      expect(config.pairs).to.deep.equal([
        {
          name: 'stat-b',
          primary: 'stat-b',
          backup: 'stat-c',
          redundancy: 'warm-standby',
          kind: 'generic',
          requireSync: false,
          flapping: { maxSwitchovers: 3, windowMs: 60_000 },
          switchoverTimeoutMs: 5000,
        },
      ]);
    });

    it('resolves a command with a "/" against the file and leaves a bare name for a PATH lookup', () => {
      expect(config.appSpecs.get('stat-a')?.command).to.equal('mlayer-demo-app');
      expect(config.appSpecs.get('stat-b')?.command).to.equal(join(dir, 'bin/stat'));
      expect(config.appSpecs.get('stat-c')?.command).to.equal('/opt/stat/bin/stat');
    });
  });

  it('converts decimal seconds to whole milliseconds and takes numbers and booleans in args and env as text', () => {
    const config = parseConfig(
      [
        'scs: { addp: { timeout: 0.25, remoteTimeout: 0 }, startWindow: 2.5, disconnectSwitchoverTimeout: 16.1 }',
        'hosts: [{ name: h, lca: "127.0.0.1:5001" }]',
        'applications:',
        '  - { name: a, host: h, command: app, args: ["--port", 7101, true], env: { PORT: 7101, DEBUG: false } }',
        '  - name: b',
        '    host: h',
        '    command: app',
        '    startTimeout: 0.0005',
        '    restart: { initialDelay: 0.1, maxDelay: 1.5 }',
        '    cwd: ../work',
      ].join('\n'),
      '/srv/mlayer/etc/config.yaml',
    );
    expect(config.scs.addp).to.deep.equal({ timeoutMs: 250, remoteTimeoutMs: 0, trace: 'off' });
    expect(config.scs.startWindowMs).to.equal(2500);
    expect(config.scs.disconnectSwitchoverTimeoutMs).to.equal(16_100);
    expect(config.appSpecs.get('a')?.args).to.deep.equal(['--port', '7101', 'true']);
    expect(config.appSpecs.get('a')?.env).to.deep.equal({ PORT: '7101', DEBUG: 'false' });
    expect(config.appSpecs.get('b')?.startTimeoutMs).to.equal(1);
    expect(config.appSpecs.get('b')?.cwd).to.equal('/srv/mlayer/work');
    expect(config.applications[1]?.restart).to.deep.equal({ initialDelayMs: 100, maxDelayMs: 1500 });
    expect(config.scs.journal).to.equal('/srv/mlayer/etc/var/scs');
  });

  it('lets applications share settings through a YAML anchor and merge key', () => {
    const config = parseConfig(
      [
        'scs: {}',
        'hosts: [{ name: h, lca: "127.0.0.1:5001" }]',
        'applications:',
        '  - &stat { name: stat-a, host: h, command: stat, env: { MODE: fast }, stopTimeout: 3 }',
        '  - { <<: *stat, name: stat-b, stopTimeout: 4 }',
      ].join('\n'),
      '/etc/mlayer/config.yaml',
    );
    expect(config.appSpecs.get('stat-b')).to.include({ command: 'stat', stopTimeoutMs: 4000 });
    expect(config.appSpecs.get('stat-b')?.env).to.deep.equal({ MODE: 'fast' });
  });

  it('prefers the SCS with the lower id of a pair unless scs.primary says otherwise', () => {
    const pairText = (id: string, peer: string, primary = '') =>
      [
        `scs: { id: ${id}, listenPeer: "127.0.0.1:5198", host: h, peer: { id: ${peer}, host: h, address: "127.0.0.1:5199" }${primary} }`,
        'hosts: [{ name: h, lca: "127.0.0.1:5001" }]',
        'applications: []',
      ].join('\n');
    expect(parseConfig(pairText('scs-a', 'scs-b'), 'c.yaml').scs.preferredPrimary).to.equal(true);
    expect(parseConfig(pairText('scs-b', 'scs-a'), 'c.yaml').scs.preferredPrimary).to.equal(false);
    expect(parseConfig(pairText('scs-b', 'scs-a', ', primary: true'), 'c.yaml').scs.preferredPrimary).to.equal(true);
    expect(parseConfig(pairText('scs-a', 'scs-b', ', primary: false'), 'c.yaml').scs.preferredPrimary).to.equal(false);
  });

  describe('loadConfig', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mlayer-config-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('resolves paths against the directory of the file it reads', () => {
      const file = join(dir, 'site.yaml');
      writeFileSync(file, 'scs: { journal: state, tokenFile: /etc/mlayer/token }\nhosts: [{ name: h, lca: ":4999" }]\napplications: []\n');
      const config = loadConfig(file);
      expect(config.scs.journal).to.equal(join(dir, 'state'));
      expect(config.scs.tokenFile).to.equal('/etc/mlayer/token');
    });

    it('throws a ConfigError that names a file it cannot read', () => {
      const file = join(dir, 'missing.yaml');
      let caught: unknown;
      try {
        loadConfig(file);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(ConfigError).and.to.be.instanceOf(MlayerError);
      const error = caught as ConfigError;
      expect(error.code).to.equal('ECONFIG');
      expect(error.message).to.equal(`cannot read the configuration file ${file}`);
      expect(error.problems).to.have.length(1);
      expect(error.problems[0]).to.match(new RegExp(`^${file}: cannot read the configuration file: ENOENT`));
    });
  });

  it('documents every key of the schema, with its default', () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as { properties?: Record<string, unknown>; items?: unknown; description?: string; default?: unknown };
      if (where !== '' && !schema.description) undocumented.push(`${where}: no description`);
      if (schema.default !== undefined && !/Default/.test(schema.description ?? '')) undocumented.push(`${where}: default not described`);
      for (const [key, child] of Object.entries(schema.properties ?? {})) visit(child, where === '' ? key : `${where}.${key}`);
      if (schema.items !== undefined) visit(schema.items, `${where}[]`);
    };
    visit(z.toJSONSchema(configSchema, { io: 'input' }), '');
    expect(undocumented).to.deep.equal([]);
  });
});
