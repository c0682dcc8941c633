// LcaLink against a fake LCA on in-memory ADDP links, every timer on a sinon fake clock: the
// reconnect loop, the mutual authentication, reports, commands and a clean stop().

import { once } from 'node:events';
import { expect } from 'chai';
import sinon from 'sinon';
import {
  AddpError,
  type ConnectOptions,
  Connection,
  type Hello,
  type LostInfo,
  type MemoryLink,
  RemoteError,
  createMemoryLink,
} from '@mlayer/addp/internal';
import {
  AUTH_SCHEME,
  type AppReport,
  type LcaMessage,
  type LcaRequest,
  type MemoryLogger,
  MlayerError,
  type Snapshot,
  createMemoryLogger,
  lcaRequestSchema,
  makeNonce,
  proofFor,
  verifyProof,
} from '@mlayer/common';
import { LcaDownError, LcaLink, type LcaLinkLoss, type LcaLinkOptions, LcaProtocolError } from '../src/internal.js';

const SECRET = 'shared-secret-for-unit-tests';

/** Deterministic [0, 1) source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function report(app: string, status: AppReport['status'], pid: number | null = 4242): AppReport {
  return { app, status, role: 'none', pid, exitCode: null, signal: null, reason: null, facts: {}, mono: 1, time: new Date(0).toISOString() };
}

/** Plays the LCA: answers the HELLO with its proof, checks the SCS's proof, answers requests. */
class FakeLca {
  secret: string | undefined = SECRET;
  up = true;
  /** Answer the SCS's (correct) proof with EAUTH anyway. */
  rejectProof = false;
  /** Replaces the reply to `auth`; may send messages on the link first. */
  onAuth: ((server: Connection) => unknown) | undefined;
  /** Replies to every other request. */
  onRequest: (request: LcaRequest) => unknown = (request) => {
    if (request.type === 'snapshot') return this.snapshot();
    if (request.type === 'start') return report(request.app.name, 'start-pending');
    if (request.type === 'stop' || request.type === 'kill') return report(request.app, 'stop-pending');
    if (request.type === 'set-role') return { role: request.role };
    if (request.type === 'query-facts') return { facts: { peer: 'down', database: 'up' } };
    throw new Error(`unexpected ${request.type}`);
  };
  apps: AppReport[] = [];
  readonly attempts: number[] = [];
  readonly hellos: Hello[] = [];
  readonly requests: LcaRequest[] = [];
  readonly servers: Connection[] = [];
  readonly memoryLinks: MemoryLink[] = [];
  readonly serverLosses: LostInfo[] = [];

  snapshot(): Snapshot {
    return { type: 'snapshot', host: 'host-a', epoch: 0, apps: this.apps, scs: [] };
  }

  /** The server side of the newest link. */
  get live(): Connection {
    const server = this.servers.at(-1);
    if (!server || server.state !== 'open') throw new Error('no open link to the fake LCA');
    return server;
  }

  /** The time limit each attempt was given. */
  readonly connectLimits: Array<number | undefined> = [];

  readonly connect = (options: ConnectOptions): Promise<Connection> => {
    this.attempts.push(Date.now());
    this.connectLimits.push(options.connectTimeoutMs);
    if (!this.up) {
      return Promise.reject(new AddpError('ADDP_CONNECTION_LOST', `cannot connect to ${options.host}:${options.port}: connect ECONNREFUSED`));
    }
    const memory = createMemoryLink();
    this.memoryLinks.push(memory);
    let challenge: { clientNonce: string; serverNonce: string } | undefined;
    const server = new Connection({
      socket: memory.server,
      role: 'server',
      name: 'host-a',
      label: 'scs',
      accept: (hello) => {
        this.hellos.push(hello);
        if (this.secret === undefined) return { auth: { scheme: 'none' } };
        const clientNonce = (hello.auth as { nonce: string }).nonce;
        const serverNonce = makeNonce();
        challenge = { clientNonce, serverNonce };
        return { auth: { scheme: AUTH_SCHEME, nonce: serverNonce, proof: proofFor(this.secret, 'server', clientNonce, serverNonce) } };
      },
    });
    server.setRequestHandler((payload) => {
      const request = lcaRequestSchema.parse(payload);
      this.requests.push(request);
      if (request.type !== 'auth') return this.onRequest(request);
      const valid = this.secret === undefined
        || (challenge !== undefined && verifyProof(this.secret, 'client', challenge.serverNonce, challenge.clientNonce, request.proof));
      if (!valid || this.rejectProof) {
        setImmediate(() => server.close('wrong secret: the SCS proof does not match'));
        throw new MlayerError('EAUTH', 'authentication failed: wrong secret');
      }
      return this.onAuth ? this.onAuth(server) : this.snapshot();
    });
    server.on('lost', (info) => this.serverLosses.push(info));
    this.servers.push(server);
    const { host: _host, port: _port, connectTimeoutMs: _limit, createSocket: _factory, ...link } = options;
    const client = new Connection({ ...link, socket: memory.client, role: 'client' });
    return new Promise((resolve, reject) => {
      client.once('open', () => resolve(client));
      client.once('lost', (info) => reject(info.error ?? new Error(info.message)));
    });
  };
}

describe('LcaLink (fake LCA, fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  let lca: FakeLca;
  let logs: MemoryLogger;
  let links: LcaLink[];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    lca = new FakeLca();
    logs = createMemoryLogger('debug');
    links = [];
  });

  afterEach(async () => {
    for (const link of links) await link.stop();
    for (const server of lca.servers) server.close('test over');
    await clock.tickAsync(2000);
    clock.restore();
  });

  function newLink(options: Partial<LcaLinkOptions> = {}): LcaLink {
    const link = new LcaLink({
      host: 'host-a',
      address: { host: '127.0.0.1', port: 4999 },
      secret: SECRET,
      scsId: 'scs-a',
      addp: { timeoutMs: 3000, remoteTimeoutMs: 3000, trace: 'off' },
      backoff: { random: () => 0.5 },
      logger: logs.logger,
      connect: lca.connect,
      ...options,
    });
    links.push(link);
    return link;
  }

  async function connected(link: LcaLink): Promise<Snapshot> {
    const [snapshot] = (await once(link, 'connected')) as [Snapshot];
    return snapshot;
  }

  const gapsOf = (times: readonly number[]) => times.slice(1).map((t, i) => t - (times[i] as number));
  const logged = (message: string) => logs.lines.filter((l) => l.message === message);

  describe('connecting', () => {
    it('authenticates both ways and emits the LCA snapshot', async () => {
      lca.apps = [report('app-a', 'started')];
      const link = newLink();
      expect(link.connected).to.equal(false);
      expect(link.since).to.equal(null);
      link.start();
      const snapshot = await connected(link);
      expect(snapshot).to.deep.equal(lca.snapshot());
      expect(link.connected).to.equal(true);
      expect(link.since?.getTime()).to.equal(Date.now());
      const [hello] = lca.hellos;
      expect(hello).to.include({ name: 'scs-a', timeoutMs: 3000, remoteTimeoutMs: 3000 });
      expect(hello?.auth).to.have.property('scheme', AUTH_SCHEME);
      expect(lca.requests).to.have.length(1);
      expect(lca.requests[0]).to.include({ type: 'auth', scs: 'scs-a' });
    });

    it('connects to an LCA without a secret when this SCS has none', async () => {
      lca.secret = undefined;
      const link = newLink({ secret: undefined });
      link.start();
      await connected(link);
      expect(lca.requests[0]).to.include({ type: 'auth', proof: 'none' });
    });

    it('refuses an LCA without a secret when this SCS has one, and says what to do', async () => {
      lca.secret = undefined;
      const link = newLink();
      link.start();
      await clock.tickAsync(0);
      expect(link.connected).to.equal(false);
      expect(lca.requests).to.deep.equal([]);
      expect(String(logged('LCA authentication failed')[0]?.error)).to.contain('runs without a secret');
    });

    it('refuses an LCA that requires a secret when this SCS has none', async () => {
      const link = newLink({ secret: undefined });
      link.start();
      await clock.tickAsync(0);
      expect(link.connected).to.equal(false);
      expect(String(logged('LCA authentication failed')[0]?.error)).to.contain('requires a shared secret, but this SCS has none');
    });

    it('warns when the LCA reports another host name than configured', async () => {
      const link = newLink({ host: 'host-b' });
      link.start();
      await connected(link);
      expect(logged('the LCA reports another host name than configured')[0]).to.include({ configured: 'host-b', reported: 'host-a' });
    });

    it('delivers reports sent before the auth reply after `connected`, in order', async () => {
      lca.onAuth = (server) => {
        server.send({ type: 'app-role', app: 'app-a', role: 'primary', mono: 5 });
        return lca.snapshot();
      };
      const link = newLink();
      const seen: string[] = [];
      link.on('connected', () => seen.push('connected'));
      link.on('report', (message) => seen.push(message.type));
      link.start();
      await connected(link);
      await clock.tickAsync(0);
      expect(seen).to.deep.equal(['connected', 'app-role']);
    });

    it('hands out each Connection for metrics and feeds a LinkMetrics', async () => {
      const rtts: string[] = [];
      // The LCA is not asked to watch this SCS, so the SCS's own polls measure the RTT.
      const link = newLink({ addp: { timeoutMs: 3000, remoteTimeoutMs: 0, trace: 'off' }, metrics: { rtt: (peer) => rtts.push(peer), timeout: () => undefined } });
      const linked = once(link, 'link');
      const up = connected(link);
      link.start();
      const [connection] = (await linked) as [Connection];
      await up;
      expect(connection).to.be.instanceOf(Connection);
      await clock.tickAsync(1500); // silent for T/3: the SCS polls, the fake LCA answers
      expect(rtts).to.include('lca:host-a');
      expect(link.rtt).to.be.a('number');
    });
  });

  describe('reconnecting', () => {
    it('retries with capped full-jitter backoff (seeded random) while the LCA is down', async () => {
      lca.up = false;
      const link = newLink({ backoff: { initialMs: 100, maxMs: 5000, random: seeded(7) } });
      link.start();
      await clock.tickAsync(60_000);
      const gaps = gapsOf(lca.attempts);
      const expected = seeded(7);
      expect(gaps.length).to.be.greaterThan(15);
      expect(gaps).to.deep.equal(gaps.map((_, n) => Math.floor(expected() * Math.min(5000, 100 * 2 ** n))));
      expect(Math.max(...gaps)).to.be.at.most(5000);
      expect(link.status).to.equal('waiting');
    });

    it('logs a repeated connect failure once at warn, then at debug', async () => {
      lca.up = false;
      const link = newLink();
      link.start();
      await clock.tickAsync(10_000);
      const failures = logged('cannot connect to the LCA');
      expect(failures.length).to.be.greaterThan(3);
      expect(failures.map((l) => l.level)).to.deep.equal(['warn', ...failures.slice(1).map(() => 'debug')]);
    });

    it('resets the backoff after a successful authentication', async () => {
      lca.up = false;
      const link = newLink(); // random 0.5: each delay is half its ceiling
      link.start();
      await clock.tickAsync(50 + 100 + 200 + 400 - 1);
      expect(gapsOf(lca.attempts)).to.deep.equal([50, 100, 200]);
      lca.up = true;
      const up = connected(link);
      await clock.tickAsync(1);
      await up;
      expect(gapsOf(lca.attempts)).to.deep.equal([50, 100, 200, 400]);

      const lostAt = Date.now();
      lca.live.close('LCA restarting');
      await once(link, 'disconnected');
      await clock.tickAsync(49);
      expect(lca.attempts).to.have.length(5);
      await clock.tickAsync(1);
      expect(lca.attempts).to.have.length(6);
      expect(lca.attempts.at(-1)).to.equal(lostAt + 50);
    });

    it('emits `disconnected` once per loss of an authenticated link, and `connected` on each reconnection', async () => {
      const link = newLink();
      const events: string[] = [];
      const losses: LcaLinkLoss[] = [];
      link.on('connected', () => events.push('connected'));
      link.on('disconnected', (loss) => {
        events.push('disconnected');
        losses.push(loss);
        expect(link.connected).to.equal(false);
      });
      link.start();
      await connected(link);

      lca.up = false;
      lca.live.close('LCA going away');
      await clock.tickAsync(1000); // failed attempts are no losses
      expect(lca.attempts.length).to.be.greaterThan(2);
      lca.up = true;
      await clock.tickAsync(5000);
      expect(link.connected).to.equal(true);

      // A hang: the LCA stops answering; the SCS's ADDP timeout (3 s) declares it lost.
      lca.memoryLinks.at(-1)?.partition('server-to-client');
      await clock.tickAsync(3000);
      await clock.tickAsync(5000);
      await link.stop();
      expect(events).to.deep.equal(['connected', 'disconnected', 'connected', 'disconnected', 'connected', 'disconnected']);
      expect(losses.map((l) => l.reason)).to.deep.equal(['closed', 'timeout', 'closed']);
      expect(losses[0]?.message).to.contain('LCA going away');
      expect(losses[2]).to.deep.equal({ reason: 'closed', message: 'SCS link stopped', local: true });
    });

    it('tracks `since` as the time `connected` last changed', async () => {
      const link = newLink();
      link.start();
      await connected(link);
      const up = link.since?.getTime();
      await clock.tickAsync(700);
      lca.live.close('bye');
      await once(link, 'disconnected');
      expect(link.since?.getTime()).to.equal((up as number) + 700);
    });
  });

  describe('authentication failures', () => {
    it('refuses an LCA whose proof does not match (wrong secret): logged, never connected, retried with backoff', async () => {
      lca.secret = 'the-lca-has-another-secret';
      const link = newLink();
      link.on('connected', () => expect.fail('must not connect with a wrong secret'));
      link.start();
      await clock.tickAsync(50 + 100 + 200);
      expect(link.connected).to.equal(false);
      expect(gapsOf(lca.attempts)).to.deep.equal([50, 100, 200]);
      const errors = logged('LCA authentication failed');
      expect(errors).to.have.length(4);
      expect(errors[0]).to.include({ level: 'error', host: 'host-a' });
      expect(String(errors[0]?.error)).to.match(/wrong secret: the proof of the LCA of host host-a \(127\.0\.0\.1:4999\) does not match/);
      // The SCS never sent its own proof to an LCA that failed to prove itself...
      expect(lca.requests).to.deep.equal([]);
      // ...and the LCA was told why the link closed.
      expect(lca.serverLosses[0]?.message).to.contain('wrong secret');
    });

    it('reports an LCA that refuses this SCS\'s proof as a wrong secret and retries', async () => {
      lca.rejectProof = true;
      const link = newLink();
      link.start();
      await clock.tickAsync(50);
      expect(link.connected).to.equal(false);
      expect(lca.attempts).to.have.length(2);
      const [error] = logged('LCA authentication failed');
      expect(String(error?.error)).to.contain('did not accept this SCS\'s proof');
      expect(String(error?.error)).to.match(/^wrong secret/);
    });

    it('drops a link whose auth reply is not a snapshot and retries', async () => {
      lca.onAuth = () => ({ type: 'snapshot', host: 'host-a' });
      const link = newLink();
      link.start();
      await clock.tickAsync(0);
      expect(link.connected).to.equal(false);
      expect(String(logged('cannot connect to the LCA')[0]?.error)).to.contain('invalid snapshot');
      expect(lca.serverLosses[0]?.message).to.contain('invalid snapshot');
      await clock.tickAsync(50);
      expect(lca.attempts).to.have.length(2);
    });
  });

  describe('reports', () => {
    it('emits every validated report', async () => {
      const link = newLink();
      const reports: LcaMessage[] = [];
      link.on('report', (message) => reports.push(message));
      link.start();
      await connected(link);
      const messages: LcaMessage[] = [
        { type: 'app-status', report: report('app-a', 'started') },
        { type: 'app-role', app: 'app-a', role: 'primary', mono: 2 },
        { type: 'app-facts', app: 'app-a', facts: { peer: 'down' }, mono: 3 },
      ];
      for (const message of messages) lca.live.send(message);
      await clock.tickAsync(0);
      expect(reports).to.deep.equal(messages);
    });

    it('closes the link on an invalid message, logs it, and reconnects', async () => {
      const link = newLink();
      const reports: LcaMessage[] = [];
      link.on('report', (message) => reports.push(message));
      link.start();
      await connected(link);
      lca.live.send({ type: 'app-status', report: { app: 'app-a', status: 'dancing' } });
      const [loss] = (await once(link, 'disconnected')) as [LcaLinkLoss];
      expect(loss.local).to.equal(true);
      expect(reports).to.deep.equal([]);
      const [error] = logged('closing the LCA link: the LCA broke the protocol');
      expect(error).to.include({ level: 'error' });
      expect(String(error?.error)).to.contain('report.status');
      await clock.tickAsync(50);
      expect(link.connected).to.equal(true);
      expect(lca.attempts).to.have.length(2);
    });
  });

  describe('commands', () => {
    it('fail fast with ELCADOWN naming the host while the link is down', async () => {
      lca.up = false;
      const link = newLink();
      const down = async (what: string, command: () => Promise<unknown>) => {
        const error = await command().then(() => expect.fail(`${what} must fail`), (e: unknown) => e);
        expect(error, what).to.be.instanceOf(LcaDownError);
        expect(error).to.include({ code: 'ELCADOWN', host: 'host-a' });
        expect((error as Error).message).to.contain('host host-a (127.0.0.1:4999)');
      };
      await down('snapshot before start', () => link.snapshot());
      link.start();
      await clock.tickAsync(10);
      await down('start', () => link.startApp({ name: 'app-a', command: 'x', addpTimeoutMs: 0, startTimeoutMs: 0, stopTimeoutMs: 0 }));
      await down('stop', () => link.stopApp('app-a', true));
      await down('kill', () => link.killApp('app-a'));
      await down('set-role', () => link.setRole('app-a', 'primary', 1000));
      await down('query-facts', () => link.queryFacts('app-a', 1000));
      expect(lca.requests).to.deep.equal([]);
    });

    it('sends each command with the epoch and returns the checked reply', async () => {
      const link = newLink();
      link.start();
      await connected(link);
      link.setEpoch(7);
      const spec = { name: 'app-a', command: '/bin/app', addpTimeoutMs: 500, startTimeoutMs: 1000, stopTimeoutMs: 1000 };
      expect(await link.startApp(spec)).to.deep.equal(report('app-a', 'start-pending'));
      expect(await link.stopApp('app-a', true)).to.include({ status: 'stop-pending' });
      expect(await link.killApp('app-a')).to.include({ status: 'stop-pending' });
      expect(await link.setRole('app-a', 'backup', 2000)).to.equal('backup');
      expect(await link.queryFacts('app-a', 2000)).to.deep.equal({ peer: 'down', database: 'up' });
      expect(await link.snapshot()).to.deep.equal(lca.snapshot());
      expect(lca.requests.slice(1)).to.deep.equal([
        { type: 'start', app: { ...spec, args: [], env: {} }, epoch: 7 },
        { type: 'stop', app: 'app-a', graceful: true, epoch: 7 },
        { type: 'kill', app: 'app-a', epoch: 7 },
        { type: 'set-role', app: 'app-a', role: 'backup', timeoutMs: 2000, epoch: 7 },
        { type: 'query-facts', app: 'app-a', timeoutMs: 2000, epoch: 7 },
        { type: 'snapshot', epoch: 7 },
      ]);
    });

    it('sends the epoch in the auth request of every later connection', async () => {
      const link = newLink();
      link.setEpoch(3);
      link.start();
      await connected(link);
      expect(lca.requests[0]).to.include({ type: 'auth', epoch: 3 });
    });

    it('keeps the LCA\'s error code (RemoteError.remoteCode)', async () => {
      lca.onRequest = () => { throw new MlayerError('EUNKNOWNAPP', 'no application "app-z" on host host-a'); };
      const link = newLink();
      link.start();
      await connected(link);
      const error = await link.stopApp('app-z').then(() => expect.fail('must fail'), (e: unknown) => e);
      expect(error).to.be.instanceOf(RemoteError);
      expect(error).to.include({ remoteCode: 'EUNKNOWNAPP' });
      expect(link.connected).to.equal(true);
    });

    it('gives each connect attempt twice the ADDP timeout (an attempt into a partition must not hold the next back for long)', async () => {
      const link = newLink({ addp: { timeoutMs: 1000, remoteTimeoutMs: 1000, trace: 'off' } });
      link.start();
      await connected(link);
      const explicit = newLink({ connectTimeoutMs: 4000 });
      explicit.start();
      await connected(explicit);
      expect(lca.connectLimits).to.deep.equal([2000, 4000]);
    });

    it('emits `fenced` once per command the LCA refuses as of an older epoch, and for no other error', async () => {
      const link = newLink();
      link.start();
      await connected(link);
      let fenced = 0;
      link.on('fenced', () => (fenced += 1));
      lca.onRequest = () => { throw new MlayerError('EUNKNOWNAPP', 'no application "app-z" on host host-a'); };
      await link.stopApp('app-z').catch(() => undefined);
      expect(fenced).to.equal(0);
      lca.onRequest = () => { throw new MlayerError('ESTALEEPOCH', 'stale epoch 1: this LCA follows epoch 2 (another SCS took over)'); };
      const error = await link.killApp('app-a').then(() => expect.fail('must fail'), (e: unknown) => e);
      expect(error).to.include({ remoteCode: 'ESTALEEPOCH' });
      await link.stopApp('app-a').catch(() => undefined);
      expect(fenced).to.equal(2);
      expect(link.connected).to.equal(true);
    });

    it('refuses a malformed command locally instead of letting the LCA drop the link', async () => {
      const link = newLink();
      link.start();
      await connected(link);
      const error = await link.startApp({ name: 'Not Valid', command: '', addpTimeoutMs: 0, startTimeoutMs: 0, stopTimeoutMs: 0 })
        .then(() => expect.fail('must fail'), (e: unknown) => e);
      expect(error).to.include({ code: 'EINVALID' });
      expect((error as Error).message).to.contain('invalid start request for the LCA of host host-a');
      expect(lca.requests).to.have.length(1);
      expect(link.connected).to.equal(true);
    });

    it('closes the link on a malformed reply and rejects with LcaProtocolError', async () => {
      lca.onRequest = () => ({ role: 'captain' });
      const link = newLink();
      link.start();
      await connected(link);
      const lost = once(link, 'disconnected');
      const error = await link.setRole('app-a', 'primary').then(() => expect.fail('must fail'), (e: unknown) => e);
      expect(error).to.be.instanceOf(LcaProtocolError);
      await lost;
    });

    it('waits for the LCA longer than the application timeout it gives', async () => {
      lca.onRequest = () => new Promise(() => undefined); // the application never answers
      const link = newLink({ requestTimeoutMs: 100 });
      link.start();
      await connected(link);
      let settled: unknown;
      void link.setRole('app-a', 'primary', 2000).catch((e: unknown) => (settled = e));
      await clock.tickAsync(2999);
      expect(settled).to.equal(undefined);
      await clock.tickAsync(1);
      expect(settled).to.include({ code: 'ADDP_REQUEST_TIMEOUT' });
    });
  });

  describe('stop()', () => {
    async function stopsClean(link: LcaLink): Promise<void> {
      await link.stop();
      expect(clock.countTimers(), 'timers left after stop()').to.equal(0);
      expect(link.status).to.equal('stopped');
      await clock.tickAsync(60_000);
      expect(link.status).to.equal('stopped');
    }

    it('leaves no timers while waiting to retry, and attempts nothing more', async () => {
      lca.up = false;
      const link = newLink();
      link.start();
      await clock.tickAsync(10);
      const attempts = lca.attempts.length;
      await stopsClean(link);
      expect(lca.attempts).to.have.length(attempts);
    });

    it('leaves no timers when connected, and closes the LCA\'s side too', async () => {
      const link = newLink();
      link.start();
      await connected(link);
      await stopsClean(link);
      expect(lca.serverLosses.map((l) => l.message)).to.deep.equal(['peer closed the link: SCS link stopped']);
      expect(link.connected).to.equal(false);
    });

    it('leaves no timers while the handshake is in flight', async () => {
      const link = newLink();
      link.start();
      expect(link.status).to.equal('connecting');
      await stopsClean(link);
      expect(lca.attempts).to.have.length(1);
    });

    it('leaves no timers while the auth request is pending', async () => {
      lca.onAuth = () => new Promise(() => undefined);
      const link = newLink();
      link.start();
      await clock.tickAsync(0);
      expect(link.status).to.equal('authenticating');
      await stopsClean(link);
    });

    it('can start again after stop()', async () => {
      const link = newLink();
      link.start();
      await connected(link);
      await link.stop();
      link.start();
      await connected(link);
      expect(lca.attempts).to.have.length(2);
    });
  });
});
