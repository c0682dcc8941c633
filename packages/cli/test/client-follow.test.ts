// `events --follow` and the API client against a scripted fetch: reconnects with Last-Event-ID
// after a backoff, never repeats an event, drops a silent link, and gives up only when the SCS
// was never there.

import { expect } from 'chai';
import sinon from 'sinon';
import { Backoff } from '@mlayer/common';
import type { JournalEvent } from '@mlayer/scs';
import { ApiClient, ApiError, UnreachableError } from '../src/client/api-client.js';
import { followEvents } from '../src/client/event-follower.js';

interface Connection {
  readonly headers: Record<string, string>;
  send(text: string): void;
  end(): void;
}

/** A fetch whose event-stream responses the test writes to; other requests answer `reply`. */
class ScriptedFetch {
  readonly connections: Connection[] = [];
  readonly requests: { url: string; method: string; headers: Record<string, string> }[] = [];
  /** Per connection attempt: 'stream' (serve it) or an error to throw. */
  plan: ('stream' | Error)[] = [];
  reply: (url: string) => Response = () => Response.json({ accepted: true }, { status: 202 });
  private waiters: (() => void)[] = [];

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const headers = { ...(init?.headers as Record<string, string> | undefined) };
    this.requests.push({ url, method: init?.method ?? 'GET', headers });
    if (!url.endsWith('/events/stream')) return this.reply(url);
    const step = this.plan.shift() ?? 'stream';
    if (step instanceof Error) throw step;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    const encoder = new TextEncoder();
    this.connections.push({ headers, send: (text) => controller.enqueue(encoder.encode(text)), end: () => controller.close() });
    for (const wake of this.waiters.splice(0)) wake();
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };

  async connection(n: number): Promise<Connection> {
    while (this.connections.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const connection = this.connections[n - 1];
    if (connection === undefined) throw new Error('unreachable');
    return connection;
  }
}

const event = (seq: number): JournalEvent => ({ type: 'host-connected', host: 'host-a', seq, time: '2025-03-01T12:00:00.000Z' });
const frame = (seq: number) => `id: ${seq}\ndata: ${JSON.stringify(event(seq))}\n\n`;
const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

describe('events --follow', () => {
  let net: ScriptedFetch;
  let received: number[];
  let notices: string[];
  let sleeps: number[];
  let stop: AbortController;

  const follow = (options: { since?: number; idleMs?: number } = {}) =>
    followEvents({
      client: new ApiClient({ url: 'http://scs.test:5099', token: 'tok', fetch: net.fetch }),
      since: options.since,
      onEvent: (e) => received.push(e.seq),
      notice: (m) => notices.push(m),
      backoff: new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.5 }),
      sleep: async (ms) => void sleeps.push(ms),
      signal: stop.signal,
      ...(options.idleMs === undefined ? {} : { idleMs: options.idleMs }),
    });

  beforeEach(() => {
    net = new ScriptedFetch();
    received = [];
    notices = [];
    sleeps = [];
    stop = new AbortController();
  });

  it('reconnects with Last-Event-ID after the stream ends and never delivers an event twice', async () => {
    const done = follow({ since: 3 });
    const first = await net.connection(1);
    expect(first.headers).to.include({ 'last-event-id': '3', authorization: 'Bearer tok' });
    first.send(frame(4) + ': heartbeat\n\n' + frame(5));
    first.end();
    const second = await net.connection(2);
    expect(second.headers['last-event-id']).to.equal('5');
    second.send(frame(5) + frame(6));
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort();
    await done;
    expect(received).to.deep.equal([4, 5, 6]);
    expect(sleeps).to.deep.equal([50]);
    expect(notices).to.deep.equal(['event stream lost (the SCS closed the stream); reconnecting in 0.1 s', 'event stream resumed']);
  });

  it('throws when the SCS cannot be reached the first time', async () => {
    net.plan = [refused()];
    const error = await follow().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(UnreachableError);
    expect((error as Error).message).to.equal('cannot reach the SCS at http://scs.test:5099 (is it running? set --url or MLAYER_URL)');
  });

  it('backs off exponentially while the SCS is away, and resets after it is back', async () => {
    net.plan = ['stream', refused(), refused(), refused(), 'stream'];
    const done = follow();
    (await net.connection(1)).end();
    const back = await net.connection(2);
    expect(sleeps).to.deep.equal([50, 100, 200, 400]);
    back.end();
    await net.connection(3);
    expect(sleeps.at(-1), 'reset after the successful reconnect').to.equal(50);
    stop.abort();
    await done;
  });

  it('drops the link on a garbled event and resumes after the last good one', async () => {
    const done = follow();
    const first = await net.connection(1);
    first.send(frame(1) + 'data: not json\n\n');
    const second = await net.connection(2);
    expect(second.headers['last-event-id']).to.equal('1');
    expect(notices[0]).to.match(/^event stream lost \(bad event stream: an event is not journal JSON\)/);
    stop.abort();
    await done;
  });

  describe('with a silent link', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    });
    afterEach(() => clock.restore());

    it('treats a link without data or heartbeat for idleMs as dropped', async () => {
      const done = follow({ idleMs: 45_000 });
      const first = await net.connection(1);
      await clock.tickAsync(30_000);
      first.send(': heartbeat\n\n');
      await clock.tickAsync(30_000);
      expect(net.connections).to.have.length(1);
      await clock.tickAsync(15_000);
      await net.connection(2);
      expect(notices[0]).to.match(/^event stream lost \(no data for 45 s\)/);
      stop.abort();
      await done;
    });
  });
});

describe('ApiClient', () => {
  it('turns a reply that is not the API error shape into an error with the HTTP status', async () => {
    const net = new ScriptedFetch();
    net.reply = () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    const error = await new ApiClient({ url: 'http://scs.test:5099/', fetch: net.fetch }).get('/api/v1/status').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ApiError);
    expect(error).to.include({ status: 502, code: 'http-502', message: 'the SCS at http://scs.test:5099 answered 502 Bad Gateway' });
  });

  it('sends no Authorization header without a token', async () => {
    const net = new ScriptedFetch();
    await new ApiClient({ url: 'http://scs.test:5099', token: '', fetch: net.fetch }).post('/api/v1/applications/a/start');
    expect(net.requests[0]?.headers).not.to.have.property('authorization');
    expect(net.requests[0]).to.include({ url: 'http://scs.test:5099/api/v1/applications/a/start', method: 'POST' });
  });
});
