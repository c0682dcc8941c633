// What `mlayer up` shows: one line per change when not on a terminal, a block redrawn in place
// on one (cut to its width and height), and the lines it prints once the solution runs.

import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { ApplicationView, PairView, StatusView } from '@mlayer/scs';
import { parseConfig } from '@mlayer/common/config';
import { createPalette } from '../src/client/ansi.js';
import { bannerLines, shown } from '../src/up/banner.js';
import { apiUrl, daemonEnvironment, ensureSecretFile, layoutFor } from '../src/up/layout.js';
import { LiveScreen, type ScreenView, changeLines, fitWidth, statusBlock, visibleLength } from '../src/up/screen.js';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const plain = createPalette(false);
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function app(name: string, host: string, status: ApplicationView['status'], role: ApplicationView['role'], pid: number | null): ApplicationView {
  return { name, host, kind: 'generic', status, role, desiredRole: role, pid, pair: 'stat-a', redundancy: 'warm-standby', restarts: 0, facts: {}, since: ago(5) };
}

function pair(overrides: Partial<PairView> = {}): PairView {
  return { name: 'stat-a', primary: 'stat-a', backup: 'stat-b', redundancy: 'warm-standby', active: 'stat-a', state: 'active', protected: true, lastSwitchover: null, ...overrides };
}

function status(apps: ApplicationView[], pairs: PairView[] = [pair()], connected = true): StatusView {
  return {
    scs: { id: 'scs-a', role: 'primary', epoch: 0 },
    hosts: [{ name: 'host-a', lca: '127.0.0.1:4999', connected, since: ago(60) }, { name: 'host-b', lca: '127.0.0.1:5000', connected: true, since: ago(60) }],
    applications: apps,
    pairs,
  };
}

const running = [app('stat-a', 'host-a', 'started', 'primary', 11), app('stat-b', 'host-b', 'started', 'backup', 12)];

describe('mlayer up: the screen', () => {
  it('without a terminal, prints everything once and then one line per change', () => {
    const first = status(running);
    expect(changeLines(undefined, first, plain)).to.deep.equal([
      'scs scs-a role=primary epoch=0',
      'host host-a connected',
      'host host-b connected',
      'app stat-a status=started role=primary pid=11',
      'app stat-b status=started role=backup pid=12',
      'pair stat-a state=active active=stat-a',
    ]);
    expect(changeLines(first, status(running), plain)).to.deep.equal([]);
    const switched = status(
      [app('stat-a', 'host-a', 'stopped', 'none', null), { ...app('stat-b', 'host-b', 'started', 'backup', 12), desiredRole: 'primary' }],
      [pair({ active: 'stat-b', lastSwitchover: { at: ago(0), reason: 'process-failure', ms: 6 } })],
      false,
    );
    expect(changeLines(first, switched, plain)).to.deep.equal([
      'host host-a disconnected',
      'app stat-a status=stopped role=none pid=-',
      'app stat-b status=started role=backup→primary pid=12',
      'pair stat-a state=active active=stat-b last-switchover="process-failure 6 ms"',
    ]);
    const jitter = status(switched.applications.slice(), [pair({ active: 'stat-b', lastSwitchover: { at: new Date(NOW + 1).toISOString(), reason: 'process-failure', ms: 6 } })], false);
    expect(changeLines(switched, jitter, plain), 'the same switchover, read a millisecond apart').to.deep.equal([]);
  });

  it('fills the block with the latest events only where there is room, and never passes the height', () => {
    const events = Array.from({ length: 8 }, (_, i) => ({ seq: i + 1, time: ago(8 - i), type: 'app-status' as const, app: 'stat-a', host: 'host-a', from: 'started' as const, to: 'stopped' as const }));
    const view: ScreenView = { status: status(running), error: undefined, events, nowMs: NOW };
    const tall = statusBlock(view, plain, 'FOOTER', 40);
    expect(tall).to.include('LATEST EVENTS');
    expect(tall.filter((l) => / app-status /.test(l))).to.have.length(8);
    expect(tall.at(-1)).to.equal('FOOTER');
    expect(tall.findLast((l) => l.startsWith('stat-a '))).to.match(/^stat-a\s+warm-standby\s+stat-a\s+active\s+-$/);
    const short = statusBlock(view, plain, 'FOOTER', 12);
    expect(short.length).to.be.at.most(12);
    expect(short).to.not.include('LATEST EVENTS');
    const down = statusBlock({ ...view, error: 'no answer' }, plain, 'FOOTER', 40);
    expect(down[0]).to.equal('the SCS does not answer (no answer); showing its last status');
  });

  it('cuts lines to the terminal width by visible characters, closing any colour', () => {
    const red = createPalette(true).red;
    expect(fitWidth('abcdef', 4)).to.equal('abcd');
    expect(fitWidth('abc', 4)).to.equal('abc');
    const cut = fitWidth(`ab${red('cdef')}`, 4);
    expect(visibleLength(cut)).to.equal(4);
    expect(cut.endsWith('\u001b[0m')).to.equal(true);
  });

  it('on a terminal, redraws the block in place and prints notices above it', () => {
    let out = '';
    let columns = 80;
    const screen = new LiveScreen({ write: (t) => (out += t), columns: () => columns, rows: () => 30 }, plain, 'FOOTER');
    const view: ScreenView = { status: status(running), error: undefined, events: [], nowMs: NOW };
    screen.show(view);
    const lines = out.split('\n').length - 1;
    expect(out).to.not.include('\u001b[J');
    out = '';
    screen.show(view);
    expect(out.startsWith(`\u001b[${lines}F\u001b[J`), 'cursor up over the whole block, clear below').to.equal(true);
    out = '';
    screen.notice('LCA host-a exited');
    expect(out).to.match(new RegExp(`^\\u001b\\[${lines}F\\u001b\\[JLCA host-a exited\\n`));
    out = '';
    columns = 10; // narrower: the old lines now wrap, and all their rows must be cleared
    screen.resized();
    const wrapped = Number(/^\u001b\[(\d+)F/.exec(out)?.[1]);
    expect(wrapped).to.be.greaterThan(lines);
    out = '';
    screen.close();
    expect(out).to.equal('\u001b[?25h');
  });
});

describe('mlayer up: files and banner', () => {
  const yaml = [
    'scs: { http: "0.0.0.0:6099", journal: ./state/journal, lcaSecretFile: ./secrets/lca }',
    'hosts:',
    '  - { name: host-a, lca: "127.0.0.1:4999" }',
    '  - { name: host-far, lca: "10.1.2.3:4999" }',
    'applications: []',
  ].join('\n');

  it('keeps everything under the journal\'s parent and runs LCAs for loopback hosts only', () => {
    const config = parseConfig(yaml, '/srv/demo/mlayer.yaml');
    const layout = layoutFor(config);
    expect(layout).to.deep.include({
      varDir: '/srv/demo/state', logDir: '/srv/demo/state/log', appLogDir: '/srv/demo/state/log/apps', runFile: '/srv/demo/state/up.json',
      scsLogFile: '/srv/demo/state/log/scs.log', apiUrl: 'http://127.0.0.1:6099',
    });
    expect(layout.localHosts).to.deep.equal([
      { name: 'host-a', listen: { host: '127.0.0.1', port: 4999 }, stateDir: '/srv/demo/state/lca-host-a', logFile: '/srv/demo/state/log/lca-host-a.log' },
    ]);
    expect(layout.remoteHosts.map((h) => h.name)).to.deep.equal(['host-far']);
    expect(apiUrl({ host: '::', port: 1 })).to.equal('http://[::1]:1');

    const fake = (label: string, pid: number) => ({ label, pid }) as never;
    const lines = bannerLines({
      config, layout, lcas: [fake('LCA host-a', 10)], scs: fake('SCS scs', 11), generatedSecret: true, cwd: '/srv/demo', mlayer: 'npx mlayer', demo: false,
    }, plain);
    expect(lines).to.include('  generated the LCA secret secrets/lca (mode 600)');
    expect(lines).to.include('  SCS scs     serving http://127.0.0.1:6099  pid 11');
    expect(lines.join('\n')).to.include('npx mlayer status --url http://127.0.0.1:6099').and.not.include('demo:failover');
    expect(lines.join('\n')).to.include('host host-far is not on this machine');
    expect(shown('/elsewhere/x', '/srv/demo')).to.equal('/elsewhere/x');
  });

  it('generates a missing secret with mode 600 and never replaces one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlayer-up-secret-'));
    try {
      const file = join(dir, 'secrets', 'lca');
      expect(ensureSecretFile(file)).to.equal(true);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(readFileSync(file, 'utf8').trim()).to.match(/^[0-9a-f]{64}$/);
      writeFileSync(file, 'mine-and-long-enough\n');
      expect(ensureSecretFile(file)).to.equal(false);
      expect(readFileSync(file, 'utf8')).to.equal('mine-and-long-enough\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts the node_modules/.bin that holds the demo app first on the daemons\' PATH', () => {
    const path = daemonEnvironment({ PATH: '/usr/bin:/bin', OTHER: 'x' });
    expect(path.OTHER).to.equal('x');
    const dirs = (path.PATH ?? '').split(':');
    expect(dirs[0]).to.match(/node_modules\/\.bin$/);
    expect(dirs.slice(-2)).to.deep.equal(['/usr/bin', '/bin']);
  });
});
