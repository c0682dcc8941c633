// The SCS HTTP API against a fake ScsService: status codes, bodies, auth, limits, /metrics, and
// the event stream (replay with Last-Event-ID under concurrent appends, disconnect cleanup).

import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { expect } from 'chai';
import { createMemoryLogger, type MemoryLogger } from '@mlayer/common';
import {
  type CommandResult,
  type HttpApi,
  type JournalEvent,
  type ScsEventBody,
  ScsMetrics,
  type ScsService,
  type StatusView,
  startHttpApi,
} from '@mlayer/scs/internal';

const STATUS: StatusView = {
  scs: { id: 'scs-a', role: 'primary', epoch: 3, peer: { id: 'scs-b', connected: true, url: 'http://127.0.0.1:5199' } },
  hosts: [{ name: 'host-a', lca: '127.0.0.1:4999', connected: true, since: '2025-01-01T00:00:00.000Z' }],
  applications: [
    {
      name: 'stat-a', host: 'host-a', kind: 'generic', status: 'started', role: 'primary', desiredRole: 'primary', pid: 4242,
      pair: 'stat-a', redundancy: 'hot-standby', restarts: 0, facts: {}, since: '2025-01-01T00:00:01.000Z',
    },
    {
      name: 'app b', host: 'host-a', kind: 'generic', status: 'stopped', role: 'none', desiredRole: 'none', pid: null,
      pair: null, redundancy: 'none', restarts: 2, facts: { peer: 'down' }, since: '2025-01-01T00:00:02.000Z',
    },
  ],
  pairs: [],
};

type Call = { readonly action: string; readonly app: string; readonly graceful?: boolean };

/** An in-memory journal with subscribers; commands are recorded and answered by `answer`. */
class FakeScs extends EventEmitter implements ScsService {
  readonly journal: JournalEvent[] = [];
  readonly calls: Call[] = [];
  private readonly subscriptions = new Set<(event: JournalEvent) => void>();
  answer: (call: Call) => CommandResult = () => ({ accepted: true });
  /** Runs inside every events() call: before the page is read, and after (tests append here). */
  aroundRead: { before?: () => void; after?: () => void } = {};
  failStatus = false;

  get subscribers(): number {
    return this.subscriptions.size;
  }

  append(count = 1): void {
    for (let i = 0; i < count; i += 1) {
      const body: ScsEventBody = { type: 'host-connected', host: `host-${this.journal.length + 1}` };
      const event: JournalEvent = { ...body, seq: this.journal.length + 1, time: new Date().toISOString() };
      this.journal.push(event);
      for (const listener of this.subscriptions) listener(event);
    }
  }

  status(): StatusView {
    if (this.failStatus) throw new Error('read model exploded');
    return STATUS;
  }

  async events(since: number, limit: number): Promise<readonly JournalEvent[]> {
    await Promise.resolve();
    this.aroundRead.before?.();
    const page = this.journal.filter((e) => e.seq > since).slice(0, limit);
    this.aroundRead.after?.();
    return page;
  }

  subscribe(listener: (event: JournalEvent) => void): () => void {
    this.subscriptions.add(listener);
    this.emit('subscribers');
    return () => {
      this.subscriptions.delete(listener);
      this.emit('subscribers');
    };
  }

  start = (app: string) => this.command({ action: 'start', app });
  stop = (app: string, graceful: boolean) => this.command({ action: 'stop', app, graceful });
  restart = (app: string) => this.command({ action: 'restart', app });
  switchover = (app: string) => this.command({ action: 'switchover', app });

  private async command(call: Call): Promise<CommandResult> {
    this.calls.push(call);
    return this.answer(call);
  }
}

/** Resolves when `check` holds, re-checking on every `event` of `emitter`. */
function until(emitter: EventEmitter, event: string, check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const onEvent = () => {
      if (!check()) return;
      clearTimeout(timer);
      emitter.off(event, onEvent);
      resolve();
    };
    emitter.on(event, onEvent);
  });
}

/** A raw SSE reader over node:http, so a test can drop the connection whenever it likes. */
class StreamClient extends EventEmitter {
  readonly seqs: number[] = [];
  raw = '';
  status = 0;
  private pending = '';
  private request: http.ClientRequest | undefined;

  async open(url: string, headers: Record<string, string> = {}): Promise<this> {
    const request = http.get(url, { headers });
    this.request = request;
    const [res] = (await once(request, 'response')) as [http.IncomingMessage];
    this.status = res.statusCode ?? 0;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.push(chunk));
    res.on('end', () => this.emit('end'));
    res.on('error', () => {});
    return this;
  }

  waitForSeq(seq: number): Promise<void> {
    return until(this, 'frame', () => this.seqs.includes(seq), `seq ${seq} on the stream`);
  }

  close(): void {
    this.request?.destroy();
  }

  private push(chunk: string): void {
    this.raw += chunk;
    this.pending += chunk;
    let end: number;
    while ((end = this.pending.indexOf('\n\n')) >= 0) {
      const block = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      const id = block.split('\n').find((l) => l.startsWith('id: '));
      if (data !== undefined) {
        const event = JSON.parse(data.slice(6)) as JournalEvent;
        expect(id).to.equal(`id: ${event.seq}`);
        this.seqs.push(event.seq);
      }
      this.emit('frame', block);
    }
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('SCS HTTP API', function () {
  this.timeout(10_000);
  let service: FakeScs;
  let metrics: ScsMetrics;
  let logs: MemoryLogger;
  let api: HttpApi;
  const streams: StreamClient[] = [];

  async function start(options: { token?: string; heartbeatMs?: number; replayPageSize?: number } = {}): Promise<void> {
    api = await startHttpApi({
      host: '127.0.0.1',
      port: 0,
      service,
      registry: metrics.registry,
      logger: logs.logger,
      ...(options.token === undefined ? {} : { token: options.token }),
      eventStream: { ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }), ...(options.replayPageSize === undefined ? {} : { replayPageSize: options.replayPageSize }) },
    });
  }

  async function call(method: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
    const res = await fetch(`${api.url}${path}`, { ...init, method });
    const text = await res.text();
    const isJson = res.headers.get('content-type')?.startsWith('application/json') ?? false;
    return { status: res.status, body: isJson ? (JSON.parse(text) as unknown) : text, headers: res.headers };
  }

  async function stream(path = '/api/v1/events/stream', headers: Record<string, string> = {}): Promise<StreamClient> {
    const client = await new StreamClient().open(`${api.url}${path}`, headers);
    streams.push(client);
    return client;
  }

  beforeEach(async () => {
    service = new FakeScs();
    metrics = new ScsMetrics({ defaultMetrics: false });
    logs = createMemoryLogger();
    await start();
  });

  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await api.close();
  });

  describe('reads', () => {
    it('answers /healthz with 200', async () => {
      expect(await call('GET', '/healthz')).to.include({ status: 200 });
    });

    it('serves the status, hosts and applications of the read model', async () => {
      expect((await call('GET', '/api/v1/status')).body).to.deep.equal(STATUS);
      expect((await call('GET', '/api/v1/hosts')).body).to.deep.equal(STATUS.hosts);
      expect((await call('GET', '/api/v1/applications')).body).to.deep.equal(STATUS.applications);
    });

    it('serves one application by its URL-encoded name and 404 unknown-app for others', async () => {
      expect((await call('GET', '/api/v1/applications/app%20b')).body).to.deep.equal(STATUS.applications[1]);
      const missing = await call('GET', '/api/v1/applications/nope');
      expect(missing.status).to.equal(404);
      expect(missing.body).to.deep.equal({ error: { code: 'unknown-app', message: 'no application named "nope"' } });
    });

    it('lists journal events after ?since= up to ?limit=, oldest first', async () => {
      service.append(10);
      const { status, body } = await call('GET', '/api/v1/events?since=4&limit=3');
      expect(status).to.equal(200);
      expect((body as JournalEvent[]).map((e) => e.seq)).to.deep.equal([5, 6, 7]);
      expect(((await call('GET', '/api/v1/events')).body as JournalEvent[]).length).to.equal(10);
    });

    for (const query of ['since=abc', 'since=-1', 'since=1.5', 'limit=0', 'limit=100000', 'limit=', 'since=1e3']) {
      it(`refuses /api/v1/events?${query} with 400 and a message naming the parameter`, async () => {
        const { status, body } = await call('GET', `/api/v1/events?${query}`);
        expect(status).to.equal(400);
        const error = (body as { error: { code: string; message: string } }).error;
        expect(error.code).to.equal('bad-request');
        expect(error.message).to.match(/^query parameter (since|limit) must be an integer/);
      });
    }

    it('serves /metrics in the registry content type', async () => {
      metrics.setScsRole('primary');
      const res = await call('GET', '/metrics');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal(metrics.registry.contentType);
      expect(res.body).to.contain('mlayer_scs_role{role="primary"} 1');
    });
  });

  describe('errors', () => {
    it('answers an unknown path with 404 and a wrong method with 405 and Allow', async () => {
      const missing = await call('GET', '/api/v2/status');
      expect(missing.status).to.equal(404);
      expect(missing.body).to.have.nested.property('error.code', 'not-found');
      const wrong = await call('DELETE', '/api/v1/applications/stat-a');
      expect(wrong.status).to.equal(405);
      expect(wrong.headers.get('allow')).to.equal('GET');
      expect(wrong.body).to.have.nested.property('error.code', 'method-not-allowed');
      expect((await call('GET', '/api/v1/applications/stat-a/start')).status).to.equal(405);
    });

    it('refuses a request body over 64 KiB with 413 and keeps serving', async () => {
      const big = await call('POST', '/api/v1/applications/stat-a/start', { body: 'x'.repeat(64 * 1024 + 1) });
      expect(big.status).to.equal(413);
      expect(big.body).to.have.nested.property('error.code', 'body-too-large');
      expect(service.calls).to.deep.equal([]);
      expect((await call('POST', '/api/v1/applications/stat-a/start', { body: 'x'.repeat(1024) })).status).to.equal(202);
    });

    it('answers 500 with the error shape when the service throws, and keeps serving', async () => {
      service.failStatus = true;
      const res = await call('GET', '/api/v1/status');
      expect(res.status).to.equal(500);
      expect(res.body).to.deep.equal({ error: { code: 'internal', message: 'the SCS could not answer: read model exploded' } });
      service.failStatus = false;
      expect((await call('GET', '/api/v1/status')).status).to.equal(200);
    });

    it('answers garbage on the socket with 400 and keeps serving', async () => {
      const socket = net.connect(Number(new URL(api.url).port), '127.0.0.1');
      socket.end('NOT HTTP AT ALL\r\n\r\n');
      const chunks: Buffer[] = [];
      for await (const chunk of socket) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).to.match(/^HTTP\/1\.1 400 Bad Request/);
      expect((await call('GET', '/healthz')).status).to.equal(200);
    });

    it('answers a malformed percent-encoding with 400', async () => {
      expect((await call('GET', '/api/v1/applications/%E0%A4%A')).status).to.equal(400);
    });
  });

  describe('commands', () => {
    for (const action of ['start', 'stop', 'restart', 'switchover']) {
      it(`accepts POST .../${action} with 202 { accepted: true }`, async () => {
        const res = await call('POST', `/api/v1/applications/stat-a/${action}`);
        expect(res.status).to.equal(202);
        expect(res.body).to.deep.equal({ accepted: true });
        expect(service.calls[0]).to.include({ action, app: 'stat-a' });
      });
    }

    it('passes ?graceful=true to stop and refuses other values with 400', async () => {
      await call('POST', '/api/v1/applications/stat-a/stop?graceful=true');
      await call('POST', '/api/v1/applications/stat-a/stop');
      expect(service.calls.map((c) => c.graceful)).to.deep.equal([true, false]);
      expect((await call('POST', '/api/v1/applications/stat-a/stop?graceful=maybe')).status).to.equal(400);
      expect(service.calls).to.have.length(2);
    });

    it('answers a refused command with 409 and its code and message', async () => {
      service.answer = () => ({ accepted: false, code: 'no-running-peer', message: 'stat-b is not started' });
      const res = await call('POST', '/api/v1/applications/stat-a/switchover');
      expect(res.status).to.equal(409);
      expect(res.body).to.deep.equal({ error: { code: 'no-running-peer', message: 'stat-b is not started' } });
    });

    it('answers an unknown application with 404 unknown-app', async () => {
      service.answer = (c) => ({ accepted: false, code: 'unknown-app', message: `no application named "${c.app}"` });
      const res = await call('POST', '/api/v1/applications/nope/start');
      expect(res.status).to.equal(404);
      expect(res.body).to.have.nested.property('error.code', 'unknown-app');
    });

    it('answers not-primary with the primary URL, from the service or else from the peer view', async () => {
      service.answer = () => ({ accepted: false, code: 'not-primary', message: 'this SCS is backup', primaryUrl: 'http://10.0.0.2:5099' });
      expect((await call('POST', '/api/v1/applications/stat-a/start')).body).to.have.nested.property('error.primaryUrl', 'http://10.0.0.2:5099');
      service.answer = () => ({ accepted: false, code: 'not-primary', message: 'this SCS is backup' });
      const res = await call('POST', '/api/v1/applications/stat-a/start');
      expect(res.status).to.equal(409);
      expect(res.body).to.deep.equal({ error: { code: 'not-primary', message: 'this SCS is backup', primaryUrl: 'http://127.0.0.1:5199' } });
    });

    it('logs who asked for what and the result', async () => {
      await call('POST', '/api/v1/applications/stat-a/restart');
      const line = logs.lines.find((l) => l.message === 'command accepted');
      expect(line).to.include({ action: 'restart', app: 'stat-a', result: 'accepted', authenticated: false });
      expect(line?.remote).to.match(/^127\.0\.0\.1:\d+$/);
    });
  });

  describe('with a token', () => {
    beforeEach(async () => {
      await api.close();
      await start({ token: 's3cret-token' });
    });

    it('refuses mutations without the bearer token with 401 unauthorized, and never runs them', async () => {
      const none = await call('POST', '/api/v1/applications/stat-a/start');
      expect(none.status).to.equal(401);
      expect(none.body).to.have.nested.property('error.code', 'unauthorized');
      expect(none.headers.get('www-authenticate')).to.match(/^Bearer/);
      const wrong = await call('POST', '/api/v1/applications/stat-a/start', { headers: { authorization: 'Bearer s3cret-tokeN' } });
      expect(wrong.status).to.equal(401);
      const basic = await call('POST', '/api/v1/applications/stat-a/start', { headers: { authorization: 'Basic czNjcmV0LXRva2Vu' } });
      expect(basic.status).to.equal(401);
      expect(service.calls).to.deep.equal([]);
      expect(logs.lines.filter((l) => l.message === 'command refused: not authorized')).to.have.length(3);
    });

    it('runs mutations with the right bearer token', async () => {
      const res = await call('POST', '/api/v1/applications/stat-a/start', { headers: { authorization: 'Bearer s3cret-token' } });
      expect(res.status).to.equal(202);
      expect(logs.lines.find((l) => l.message === 'command accepted')).to.include({ authenticated: true });
    });

    it('keeps reads open', async () => {
      expect((await call('GET', '/api/v1/status')).status).to.equal(200);
      expect((await call('GET', '/api/v1/events')).status).to.equal(200);
      expect((await call('GET', '/metrics')).status).to.equal(200);
    });
  });

  describe('event stream', () => {
    it('sends events from now on, each as id: SEQ and data: JSON', async () => {
      service.append(3);
      const client = await stream();
      await until(service, 'subscribers', () => service.subscribers === 1, 'the subscription');
      service.append(2);
      await client.waitForSeq(5);
      expect(client.seqs).to.deep.equal([4, 5]);
      expect(client.raw).to.contain(`id: 4\ndata: ${JSON.stringify(service.journal[3])}\n\n`);
    });

    it('replays after Last-Event-ID, then continues live', async () => {
      service.append(6);
      const client = await stream('/api/v1/events/stream', { 'last-event-id': '2' });
      await client.waitForSeq(6);
      service.append(2);
      await client.waitForSeq(8);
      expect(client.seqs).to.deep.equal(range(3, 8));
    });

    it('resumes after ?since= like Last-Event-ID', async () => {
      service.append(4);
      const client = await stream('/api/v1/events/stream?since=3');
      await client.waitForSeq(4);
      expect(client.seqs).to.deep.equal([4]);
    });

    it('neither skips nor repeats events appended while it replays', async () => {
      await api.close();
      await start({ replayPageSize: 4 });
      service.append(20);
      let reads = 0;
      service.aroundRead = {
        before: () => service.append(1),
        after: () => {
          reads += 1;
          if (reads < 6) service.append(2);
        },
      };
      const appender = setInterval(() => service.append(1), 1);
      try {
        const client = await stream('/api/v1/events/stream', { 'last-event-id': '5' });
        await until(client, 'frame', () => client.seqs.length >= 40, '40 events');
        clearInterval(appender);
        service.append(1);
        await client.waitForSeq(service.journal.length);
        expect(client.seqs).to.deep.equal(range(6, service.journal.length));
      } finally {
        clearInterval(appender);
      }
    });

    it('refuses a malformed Last-Event-ID with 400', async () => {
      const client = await stream('/api/v1/events/stream', { 'last-event-id': 'yesterday' });
      expect(client.status).to.equal(400);
      expect(service.subscribers).to.equal(0);
    });

    it('unsubscribes when the client goes away', async () => {
      const clients = [await stream(), await stream()];
      await until(service, 'subscribers', () => service.subscribers === 2, 'two subscriptions');
      clients[0]?.close();
      await until(service, 'subscribers', () => service.subscribers === 1, 'one subscription left');
      clients[1]?.close();
      await until(service, 'subscribers', () => service.subscribers === 0, 'no subscription left');
      service.append(1);
      expect((await call('GET', '/healthz')).status).to.equal(200);
    });

    it('sends a comment heartbeat on idle streams', async () => {
      await api.close();
      await start({ heartbeatMs: 20 });
      const client = await stream();
      await until(client, 'frame', () => client.raw.includes(': heartbeat\n\n'), 'a heartbeat');
    });

    it('ends the streams and drops the subscriptions on close()', async () => {
      const client = await stream();
      await until(service, 'subscribers', () => service.subscribers === 1, 'the subscription');
      const ended = once(client, 'end');
      await api.close();
      await ended;
      expect(service.subscribers).to.equal(0);
    });
  });
});
