// The `mlayer` client commands as a user runs them: the real binary against the real SCS HTTP
// API (startHttpApi) backed by a fake ScsService on an ephemeral loopback port.

import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { silentLogger } from '@mlayer/common';
import { createRegistry } from '@mlayer/common/metrics';
import { type CommandResult, type HttpApi, type JournalEvent, type ScsService, type StatusView, startHttpApi } from '@mlayer/scs/internal';

const MLAYER = fileURLToPath(new URL('../bin/mlayer.js', import.meta.url));
// Half a second past the whole second: the age the CLI prints a moment later is still exact.
const ago = (seconds: number) => new Date(Date.now() - (seconds + 0.5) * 1000).toISOString();

const statusNow = (): StatusView => ({
  scs: { id: 'scs-a', role: 'primary', epoch: 7 },
  hosts: [
    { name: 'host-a', lca: '127.0.0.1:4999', connected: true, since: ago(30) },
    { name: 'host-bb', lca: '127.0.0.1:5000', connected: false, since: null },
  ],
  applications: [
    {
      name: 'stat-a', host: 'host-a', kind: 'generic', status: 'started', role: 'primary', desiredRole: 'primary', pid: 4242,
      pair: 'stat-a', redundancy: 'hot-standby', restarts: 0, facts: {}, since: ago(125),
    },
    {
      name: 'stat-b', host: 'host-bb', kind: 'generic', status: 'initializing', role: 'backup', desiredRole: 'primary', pid: 77,
      pair: 'stat-a', redundancy: 'hot-standby', restarts: 3, facts: {}, since: ago(2 * 3600 + 60),
    },
  ],
  pairs: [
    {
      name: 'stat-a', primary: 'stat-a', backup: 'stat-b', redundancy: 'hot-standby', active: 'stat-a', state: 'active', protected: false,
      lastSwitchover: { at: ago(300), reason: 'process-failure', ms: 8 },
    },
  ],
});

type Call = { readonly action: string; readonly app: string; readonly graceful?: boolean };

class FakeScs implements ScsService {
  readonly journal: JournalEvent[] = [];
  readonly calls: Call[] = [];
  readonly subscribers = new EventEmitter();
  answer: (call: Call) => CommandResult = () => ({ accepted: true });

  append(count = 1): void {
    for (let i = 0; i < count; i += 1) {
      const seq = this.journal.length + 1;
      const event: JournalEvent = { type: 'app-status', app: 'stat-a', host: 'host-a', from: 'started', to: 'hung', seq, time: new Date().toISOString() };
      this.journal.push(event);
      this.subscribers.emit('event', event);
    }
  }

  lastStatus: StatusView | undefined;
  status = (): StatusView => (this.lastStatus = statusNow());
  events = async (since: number, limit: number) => this.journal.filter((e) => e.seq > since).slice(0, limit);
  subscribe(listener: (event: JournalEvent) => void): () => void {
    this.subscribers.on('event', listener);
    return () => this.subscribers.off('event', listener);
  }
  start = async (app: string) => this.command({ action: 'start', app });
  stop = async (app: string, graceful: boolean) => this.command({ action: 'stop', app, graceful });
  restart = async (app: string) => this.command({ action: 'restart', app });
  switchover = async (app: string) => this.command({ action: 'switchover', app });
  private command(call: Call): CommandResult {
    this.calls.push(call);
    return this.answer(call);
  }
}

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function launch(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  const base = { ...process.env };
  delete base.MLAYER_URL;
  delete base.MLAYER_TOKEN;
  return spawn(process.execPath, [MLAYER, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the binary to its end; async, because the API it talks to lives in this process. */
function mlayer(args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
  const child = launch(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function serve(service: ScsService, options: { token?: string; port?: number } = {}): Promise<HttpApi> {
  return startHttpApi({
    host: '127.0.0.1',
    port: options.port ?? 0,
    service,
    registry: createRegistry({ defaultMetrics: false }),
    logger: silentLogger,
    ...(options.token === undefined ? {} : { token: options.token }),
  });
}

describe('mlayer client commands', function () {
  this.timeout(30_000);
  let service: FakeScs;
  let api: HttpApi;
  const apis: HttpApi[] = [];
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    service = new FakeScs();
    api = await serve(service);
    apis.push(api);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
    await Promise.all(apis.splice(0).map((a) => a.close()));
  });

  describe('reads', () => {
    it('prints status as the SCS line, the hosts, applications and pairs tables, aligned and without colour on a pipe', async () => {
      const { code, stdout, stderr } = await mlayer(['status', '--url', api.url]);
      expect(stderr).to.equal('');
      expect(code).to.equal(0);
      expect(stdout).not.to.contain('\u001b[');
      const lines = stdout.split('\n');
      expect(lines[0]).to.equal('SCS scs-a  role primary  epoch 7');
      expect(lines.slice(2, 5)).to.deep.equal([
        'HOST     LCA             CONNECTED  SINCE',
        'host-a   127.0.0.1:4999  yes        30s',
        'host-bb  127.0.0.1:5000  no         -',
      ]);
      expect(lines.slice(6, 9)).to.deep.equal([
        'NAME    HOST     STATUS        ROLE            PID   PAIR    RESTARTS  SINCE',
        'stat-a  host-a   started       primary         4242  stat-a  0         2m05s',
        'stat-b  host-bb  initializing  backup→primary  77    stat-a  3         2h01m',
      ]);
      expect(lines.slice(10)).to.deep.equal([
        'PAIR    REDUNDANCY   ACTIVE  STATE   LAST SWITCHOVER',
        'stat-a  hot-standby  stat-a  active  5m00s ago, process-failure, 8 ms',
        '',
      ]);
    });

    it('prints the API body with --json', async () => {
      const status = await mlayer(['status', '--json', '--url', api.url]);
      expect(JSON.parse(status.stdout)).to.deep.equal(service.lastStatus);
      const apps = await mlayer(['apps', '--json', '--url', api.url]);
      expect(JSON.parse(apps.stdout)).to.deep.equal(service.lastStatus?.applications);
      const hosts = await mlayer(['hosts', '--json', '--url', api.url]);
      expect(JSON.parse(hosts.stdout)).to.deep.equal(service.lastStatus?.hosts);
    });

    it('finds the SCS through MLAYER_URL and prints the apps and hosts tables', async () => {
      const apps = await mlayer(['apps'], { MLAYER_URL: api.url });
      expect(apps.code).to.equal(0);
      expect(apps.stdout.split('\n')[0]).to.match(/^NAME {4}HOST {5}STATUS/);
      const hosts = await mlayer(['hosts'], { MLAYER_URL: api.url });
      expect(hosts.stdout.split('\n')[1]).to.equal('host-a   127.0.0.1:4999  yes        30s');
    });

    it('prints events after --since, one line each, and --json as the API body', async () => {
      service.append(4);
      const { code, stdout } = await mlayer(['events', '--since', '2', '--url', api.url]);
      expect(code).to.equal(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines).to.have.length(2);
      expect(lines[0]).to.equal(`3 ${service.journal[2]?.time} app-status app=stat-a host=host-a from=started to=hung`);
      const json = await mlayer(['events', '--json', '--url', api.url]);
      expect(JSON.parse(json.stdout)).to.deep.equal(service.journal);
    });

    it('exits 1 with a hint when nothing listens at the URL', async () => {
      const gone = await serve(service);
      await gone.close();
      const { code, stderr } = await mlayer(['status', '--url', gone.url]);
      expect(code).to.equal(1);
      expect(stderr).to.equal(`mlayer: cannot reach the SCS at ${gone.url} (is it running? set --url or MLAYER_URL)\n`);
    });
  });

  describe('usage', () => {
    for (const args of [['start'], ['events', '--since', '-1'], ['events', '--since', 'x'], ['status', '--url', 'nonsense'], ['apps', '--frobnicate']]) {
      it(`exits 2 on mlayer ${args.join(' ')}`, async () => {
        const { code, stderr } = await mlayer([...args, ...(args.includes('--url') ? [] : ['--url', api.url])]);
        expect(code).to.equal(2);
        expect(stderr).not.to.equal('');
        expect(service.calls).to.deep.equal([]);
      });
    }
  });

  describe('commands', () => {
    it('starts, stops gracefully, restarts and switches over, exiting 0', async () => {
      for (const args of [['start', 'stat-a'], ['stop', 'stat-a', '--graceful'], ['stop', 'stat-b'], ['restart', 'stat-a'], ['switchover', 'stat-b']]) {
        const { code, stdout } = await mlayer([...args, '--url', api.url]);
        expect(code, args.join(' ')).to.equal(0);
        expect(stdout).to.equal(`${args[1]}: ${args[0]} accepted\n`);
      }
      expect(service.calls).to.deep.equal([
        { action: 'start', app: 'stat-a' },
        { action: 'stop', app: 'stat-a', graceful: true },
        { action: 'stop', app: 'stat-b', graceful: false },
        { action: 'restart', app: 'stat-a' },
        { action: 'switchover', app: 'stat-b' },
      ]);
    });

    it('exits 1 with the server message when a command is refused', async () => {
      service.answer = () => ({ accepted: false, code: 'no-running-peer', message: 'stat-b is not started' });
      const { code, stdout, stderr } = await mlayer(['switchover', 'stat-b', '--url', api.url]);
      expect(code).to.equal(1);
      expect(stdout).to.equal('');
      expect(stderr).to.equal('mlayer: switchover refused: stat-b is not started\n');
    });

    it('exits 1 for an unknown application', async () => {
      service.answer = (c) => ({ accepted: false, code: 'unknown-app', message: `no application named "${c.app}"` });
      const { code, stderr } = await mlayer(['start', 'nope', '--url', api.url]);
      expect(code).to.equal(1);
      expect(stderr).to.equal('mlayer: start failed: no application named "nope"\n');
    });

    it('sends the token from --token or MLAYER_TOKEN as a bearer header', async () => {
      const guarded = await serve(service, { token: 'tok-123456' });
      apis.push(guarded);
      const without = await mlayer(['start', 'stat-a', '--url', guarded.url]);
      expect(without.code).to.equal(1);
      expect(without.stderr).to.match(/^mlayer: start failed: this request needs Authorization: Bearer/);
      expect((await mlayer(['start', 'stat-a', '--url', guarded.url, '--token', 'wrong'])).code).to.equal(1);
      expect(service.calls).to.deep.equal([]);
      expect((await mlayer(['start', 'stat-a', '--url', guarded.url, '--token', 'tok-123456'])).code).to.equal(0);
      expect((await mlayer(['restart', 'stat-a', '--url', guarded.url], { MLAYER_TOKEN: 'tok-123456' })).code).to.equal(0);
      expect(service.calls.map((c) => c.action)).to.deep.equal(['start', 'restart']);
    });

    it('retries once at the primary when a backup SCS answers not-primary, and says so', async () => {
      const backupService = new FakeScs();
      const backup = await serve(backupService);
      apis.push(backup);
      backupService.answer = () => ({ accepted: false, code: 'not-primary', message: 'scs-b is backup', primaryUrl: api.url });
      const { code, stdout, stderr } = await mlayer(['switchover', 'stat-b', '--url', backup.url]);
      expect(code).to.equal(0);
      expect(stdout).to.equal('stat-b: switchover accepted\n');
      expect(stderr).to.equal(`mlayer: the SCS at ${backup.url} is not primary; retrying at ${api.url}\n`);
      expect(backupService.calls).to.have.length(1);
      expect(service.calls).to.deep.equal([{ action: 'switchover', app: 'stat-b' }]);
    });

    it('does not bounce between two SCSs that both say not-primary', async () => {
      service.answer = () => ({ accepted: false, code: 'not-primary', message: 'scs-a is backup', primaryUrl: api.url });
      const { code, stderr } = await mlayer(['start', 'stat-a', '--url', api.url]);
      expect(code).to.equal(1);
      expect(stderr).to.contain('mlayer: start refused: scs-a is backup');
      expect(service.calls).to.have.length(2);
    });
  });

  describe('events --follow', () => {
    it('streams events as lines and resumes with Last-Event-ID after the SCS restarts, without gaps or duplicates', async () => {
      service.append(2);
      const child = launch(['events', '--follow', '--since', '1', '--url', api.url]);
      children.push(child);
      let stdout = '';
      let stderr = '';
      const output = new EventEmitter();
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        output.emit('data');
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        output.emit('data');
      });
      const seqs = () => stdout.split('\n').filter((l) => l !== '').map((l) => Number(l.split(' ')[0]));
      const waitFor = (what: string, check: () => boolean) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stdout=${stdout} stderr=${stderr}`)), 15_000);
          const test = () => {
            if (!check()) return;
            clearTimeout(timer);
            output.off('data', test);
            resolve();
          };
          output.on('data', test);
          test();
        });

      await waitFor('the replayed event', () => seqs().includes(2));
      service.append(2);
      await waitFor('live events', () => seqs().includes(4));

      const port = Number(new URL(api.url).port);
      await api.close();
      service.append(3); // while the SCS is away: replayed after the reconnect
      api = await serve(service, { port });
      apis.push(api);
      await waitFor('the reconnect', () => stderr.includes('event stream resumed'));
      await waitFor('the missed events', () => seqs().includes(7));
      service.append(1);
      await waitFor('live events after the reconnect', () => seqs().includes(8));

      expect(seqs()).to.deep.equal([2, 3, 4, 5, 6, 7, 8]);
      expect(stderr).to.match(/mlayer: event stream lost \(.+\); reconnecting in \d+\.\d s\n/);
    });

    it('prints one JSON object per line with --json', async () => {
      service.append(1);
      const child = launch(['events', '--follow', '--json', '--since', '0', '--url', api.url]);
      children.push(child);
      const line = await new Promise<string>((resolve) => {
        let text = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('\n')) resolve(text.split('\n')[0] ?? '');
        });
      });
      expect(JSON.parse(line)).to.deep.equal(service.journal[0]);
    });

    it('exits 1 when the SCS is not there to begin with', async () => {
      const gone = await serve(service);
      await gone.close();
      const { code, stderr } = await mlayer(['events', '--follow', '--url', gone.url]);
      expect(code).to.equal(1);
      expect(stderr).to.contain(`cannot reach the SCS at ${gone.url}`);
    });
  });
});
