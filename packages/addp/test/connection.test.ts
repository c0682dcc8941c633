// Connection behaviour on an in-memory link with every timer on a sinon fake clock.

import { once } from 'node:events';
import { expect } from 'chai';
import sinon from 'sinon';
import { MlayerError } from '@mlayer/common';
import {
  Connection,
  type ConnectionOptions,
  type LostInfo,
  createMemoryLink,
  encodeJsonFrame,
  FrameType,
  type MemoryLink,
  RemoteError,
} from '@mlayer/addp/internal';
import { captureLogger } from './support/capture-logger.js';

type Side = Partial<Omit<ConnectionOptions, 'socket' | 'role'>>;

const settings = (timeoutMs: number, remoteTimeoutMs = 0) => ({ timeoutMs, remoteTimeoutMs, trace: 'off' as const });

function lostOf(connection: Connection): Promise<{ info: LostInfo; at: number }> {
  return once(connection, 'lost').then(([info]) => ({ info: info as LostInfo, at: Date.now() }));
}

describe('ADDP connection (fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  let opened: Connection[];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    opened = [];
  });

  afterEach(async () => {
    for (const connection of opened) connection.close('test over');
    await clock.tickAsync(2000);
    clock.restore();
  });

  async function openPair(client: Side = {}, server: Side = {}): Promise<{ link: MemoryLink; client: Connection; server: Connection }> {
    const link = createMemoryLink();
    const s = new Connection({ label: 'client', ...server, socket: link.server, role: 'server' });
    const c = new Connection({ label: 'server', ...client, socket: link.client, role: 'client' });
    opened.push(s, c);
    await Promise.all([once(s, 'open'), once(c, 'open')]);
    return { link, client: c, server: s };
  }

  describe('handshake', () => {
    it('opens both sides with names, the chosen version and the auth payloads', async () => {
      const { client, server } = await openPair(
        { name: 'scs-a', auth: { nonce: 'c' } },
        { name: 'lca-1', accept: (hello) => ({ auth: { echo: hello.auth } }) },
      );
      expect(server.peer).to.include({ name: 'scs-a', version: 1 });
      expect(server.peer?.auth).to.deep.equal({ nonce: 'c' });
      expect(client.peer).to.include({ name: 'lca-1', version: 1 });
      expect(client.peer?.auth).to.deep.equal({ echo: { nonce: 'c' } });
      expect(client.state).to.equal('open');
    });

    it('a refused HELLO closes both sides with the refusal as the reason', async () => {
      const link = createMemoryLink();
      const server = new Connection({ socket: link.server, role: 'server', accept: () => { throw new Error('bad secret'); } });
      const client = new Connection({ socket: link.client, role: 'client' });
      const [serverLost, clientLost] = await Promise.all([lostOf(server), lostOf(client)]);
      expect(serverLost.info.reason).to.equal('protocol');
      expect(clientLost.info.reason).to.equal('protocol');
      expect(clientLost.info.message).to.contain('bad secret');
      expect((clientLost.info.error as MlayerError).code).to.equal('ADDP_HANDSHAKE_FAILED');
    });

    it('a client whose verify hook throws closes the link before anything is exchanged', async () => {
      const link = createMemoryLink();
      const server = new Connection({ socket: link.server, role: 'server' });
      const client = new Connection({ socket: link.client, role: 'client', verify: () => { throw new Error('server proof mismatch'); } });
      const messages: unknown[] = [];
      server.on('open', () => server.send({ command: 'start' }));
      client.on('message', (m) => messages.push(m));
      const [clientLost, serverLost] = await Promise.all([lostOf(client), lostOf(server)]);
      expect(clientLost.info.message).to.contain('server proof mismatch');
      expect(serverLost.info.reason).to.equal('closed');
      expect(messages).to.deep.equal([]);
    });

    it('gives up when the peer never answers the HELLO', async () => {
      const link = createMemoryLink();
      const client = new Connection({ socket: link.client, role: 'client', handshakeTimeoutMs: 5000 });
      const lost = lostOf(client);
      const start = Date.now();
      await clock.tickAsync(4999);
      expect(client.state).to.equal('handshaking');
      await clock.tickAsync(1);
      const { info, at } = await lost;
      expect(info.reason).to.equal('timeout');
      expect(at - start).to.equal(5000);
      link.server.destroy();
    });
  });

  describe('keep-alive', () => {
    for (const T of [300, 1000, 3000]) {
      it(`declares a silent peer lost between T and T + T/3 after its last byte (T = ${T} ms)`, async () => {
        const { link, client } = await openPair({ settings: settings(T) });
        let lastByte = Date.now();
        link.client.on('data', () => { lastByte = Date.now(); });
        await clock.tickAsync(T * 5); // healthy for a while
        const partitionedAt = Date.now();
        link.partition('server-to-client');
        const lost = lostOf(client);
        await clock.tickAsync(T * 2);
        const { info, at } = await lost;
        expect(info.reason).to.equal('timeout');
        expect(at - lastByte).to.be.within(T, T + T / 3);
        expect(at - partitionedAt).to.be.at.most(T + T / 3);
      });
    }

    it('never loses a responsive peer over 1,000 x T and polls only when idle', async () => {
      const T = 1000;
      const { link, client, server } = await openPair({ settings: settings(T) }, { settings: settings(T) });
      let polls = 0;
      link.client.on('data', (chunk: Buffer) => { if (chunk[3] === FrameType.POLL) polls++; });
      const losses: LostInfo[] = [];
      client.on('lost', (i) => losses.push(i));
      server.on('lost', (i) => losses.push(i));
      await clock.tickAsync(1000 * T);
      expect(losses).to.deep.equal([]);
      expect(client.state).to.equal('open');
      // The server polls the client at most every T/3 of silence: about 3 per T, never more.
      expect(polls).to.be.within(1000, 3 * 1000 + 3);
    });

    it('takes any traffic as a sign of life: a chatty peer is never polled', async () => {
      const T = 900;
      const { link, client, server } = await openPair({ settings: settings(T) }, { settings: settings(0) });
      let polls = 0;
      link.server.on('data', (chunk: Buffer) => { if (chunk[3] === FrameType.POLL) polls++; });
      for (let i = 0; i < 50; i++) {
        server.send({ tick: i });
        await clock.tickAsync(T / 4);
      }
      expect(polls).to.equal(0);
      expect(client.state).to.equal('open');
    });

    it('honours the remote timeout the peer asks for when it has none of its own', async () => {
      const { link, client, server } = await openPair({ settings: settings(0, 600) }, { settings: settings(0) });
      expect(server.peer?.monitorTimeoutMs).to.equal(600);
      expect(client.peer?.monitorTimeoutMs).to.equal(0);
      const start = Date.now();
      link.partition('client-to-server');
      const serverLost = lostOf(server);
      await clock.tickAsync(1000);
      const { info, at } = await serverLost;
      expect(info.reason).to.equal('timeout');
      expect(at - start).to.be.within(400, 600 + 200);
    });

    it('lets its own timeout win over the peer\'s request', async () => {
      const { server } = await openPair({ settings: settings(0, 600) }, { settings: settings(2000) });
      expect(server.peer?.monitorTimeoutMs).to.equal(2000);
    });

    it('with T = 0 on both sides runs no timer and never declares the peer lost', async () => {
      const { link, client, server } = await openPair({ settings: settings(0) }, { settings: settings(0) });
      expect(clock.countTimers()).to.equal(0);
      link.partition('both');
      await clock.tickAsync(3_600_000);
      expect(client.state).to.equal('open');
      expect(server.state).to.equal('open');
    });

    it('measures the poll round trip and reports it', async () => {
      const { client } = await openPair({ settings: settings(600) });
      const rtts: number[] = [];
      client.on('rtt', (r) => rtts.push(r));
      await clock.tickAsync(2000);
      expect(rtts.length).to.be.at.least(2);
      expect(client.rtt).to.equal(0); // the in-memory link delivers on the next tick: no fake time passes
    });

    it('logs every poll and ack when the peer asks for remote trace', async () => {
      const log = captureLogger();
      await openPair({ settings: { timeoutMs: 0, remoteTimeoutMs: 0, trace: 'remote' } }, { settings: settings(600), logger: log.logger });
      await clock.tickAsync(700);
      const traced = log.lines.filter((l) => l.message === 'addp poll sent' || l.message === 'addp poll acknowledged');
      expect(traced.length).to.be.at.least(2);
      expect(traced.find((l) => l.message === 'addp poll acknowledged')).to.have.property('rttMs');
    });
  });

  describe('messages and requests', () => {
    it('delivers one-way messages in order', async () => {
      const { client, server } = await openPair();
      const got: unknown[] = [];
      server.on('message', (m) => got.push(m));
      for (let i = 0; i < 100; i++) client.send({ i });
      await clock.tickAsync(1);
      expect(got).to.deep.equal(Array.from({ length: 100 }, (_, i) => ({ i })));
    });

    it('answers requests with the handler\'s result, correlated by id even out of order', async () => {
      const { client, server } = await openPair();
      server.setRequestHandler(async (payload) => {
        const { n } = payload as { n: number };
        await new Promise((r) => setTimeout(r, 100 - n * 10));
        return { doubled: n * 2 };
      });
      const replies = Promise.all([1, 2, 3, 4, 5].map((n) => client.request({ n })));
      await clock.tickAsync(100);
      expect(await replies).to.deep.equal([2, 4, 6, 8, 10].map((doubled) => ({ doubled })));
    });

    it('turns a handler\'s error into a RemoteError carrying its code', async () => {
      const { client, server } = await openPair();
      server.setRequestHandler(() => { throw new MlayerError('EUNKNOWNAPP', 'no application "x"'); });
      const error = await client.request({ op: 'start', app: 'x' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RemoteError);
      expect((error as RemoteError).remoteCode).to.equal('EUNKNOWNAPP');
      expect((error as RemoteError).message).to.equal('no application "x"');
    });

    it('times a request out after exactly its timeout and drops the late reply', async () => {
      const { client, server } = await openPair();
      server.setRequestHandler(() => new Promise((r) => setTimeout(() => r('late'), 5000)));
      const start = Date.now();
      const result = client.request({ op: 'set-role' }, { timeoutMs: 2000 }).then(
        () => ({ at: Date.now(), error: undefined }),
        (error: MlayerError) => ({ at: Date.now(), error }),
      );
      await clock.tickAsync(6000);
      const { at, error } = await result;
      expect(error?.code).to.equal('ADDP_REQUEST_TIMEOUT');
      expect(at - start).to.equal(2000);
      expect(client.state).to.equal('open');
    });

    it('fails pending requests at once when the link is lost', async () => {
      const { link, client } = await openPair();
      const pending = client.request({ op: 'never-answered' }, { timeoutMs: 60_000 }).catch((e: MlayerError) => e);
      link.server.destroy();
      await clock.tickAsync(1);
      expect((await pending as MlayerError).code).to.equal('ADDP_CONNECTION_LOST');
    });

    it('refuses to send on a link that is not open', async () => {
      const { client } = await openPair();
      client.close();
      expect(client.send({ x: 1 })).to.equal(false);
      const error = await client.request({ x: 1 }).catch((e: MlayerError) => e);
      expect((error as MlayerError).code).to.equal('ADDP_NOT_OPEN');
    });
  });

  describe('loss and close', () => {
    it('emits exactly one lost and then one close, and leaves no timer behind', async () => {
      const { link, client, server } = await openPair({ settings: settings(900) }, { settings: settings(900) });
      const events: string[] = [];
      for (const [name, c] of [['client', client], ['server', server]] as const) {
        c.on('lost', (i) => events.push(`${name}:lost:${i.reason}`));
        c.on('close', () => events.push(`${name}:close`));
      }
      link.client.destroy(new Error('boom'));
      await clock.tickAsync(10);
      expect(events.filter((e) => e.startsWith('client'))).to.deep.equal(['client:lost:error', 'client:close']);
      expect(events.filter((e) => e.startsWith('server'))).to.deep.equal(['server:lost:closed', 'server:close']);
      expect(clock.countTimers()).to.equal(0);
    });

    it('a graceful close tells the peer why and clears every timer on both sides', async () => {
      const { client, server } = await openPair({ settings: settings(900) }, { settings: settings(900) });
      const serverLost = lostOf(server);
      const closed = Promise.all([once(client, 'close'), once(server, 'close')]);
      client.close('operator stop');
      const { info } = await serverLost;
      expect(info.reason).to.equal('closed');
      expect(info.message).to.contain('operator stop');
      await closed;
      expect(clock.countTimers()).to.equal(0);
    });

    it('closes only the link that received garbage, with reason protocol', async () => {
      const { link, client, server } = await openPair();
      const serverLost = lostOf(server);
      const clientLost = lostOf(client);
      link.client.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
      expect((await serverLost).info.reason).to.equal('protocol');
      expect((await serverLost).info.error).to.have.property('code', 'ADDP_BAD_MAGIC');
      expect((await clientLost).info.reason).to.equal('closed');
    });

    it('treats a second HELLO on an open link as a protocol error', async () => {
      const { link, server } = await openPair();
      const serverLost = lostOf(server);
      link.client.write(encodeJsonFrame(FrameType.HELLO, 0, 0, { versions: [1], timeoutMs: 0, remoteTimeoutMs: 0, trace: 'off' }));
      const { info } = await serverLost;
      expect(info.reason).to.equal('protocol');
      expect(info.message).to.contain('unexpected HELLO');
    });

    it('closes a link whose MESSAGE carries invalid JSON', async () => {
      const { link, server } = await openPair();
      const serverLost = lostOf(server);
      const bad = encodeJsonFrame(FrameType.MESSAGE, 0, 0, 'xxxx');
      bad.write('{', 14); // corrupt the JSON text
      link.client.write(bad);
      expect((await serverLost).info.error).to.have.property('code', 'ADDP_BAD_PAYLOAD');
    });
  });
});
