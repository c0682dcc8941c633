// The application SDK against a fake LCA on an in-memory link, with fake timers.

import { once } from 'node:events';
import { expect } from 'chai';
import sinon from 'sinon';
import { AddpError, type ConnectOptions, Connection, createMemoryLink } from '@mlayer/addp/internal';
import { APP_ENV, type AppMessage } from '@mlayer/common';
import { connectToLca } from '@mlayer/lca/app';

const ENV = { [APP_ENV.lcaAddress]: '127.0.0.1:4999', [APP_ENV.appName]: 'app-a', [APP_ENV.token]: 'tok', [APP_ENV.addpTimeoutMs]: '600' };

/** A fake LCA: accepts a connection when `up`, records what the application sends. */
class FakeLca {
  up = true;
  attempts = 0;
  links: Connection[] = [];
  received: unknown[] = [];
  hellos: unknown[] = [];

  readonly connect = async (options: ConnectOptions): Promise<Connection> => {
    this.attempts++;
    if (!this.up) throw new AddpError('ADDP_CONNECTION_LOST', 'connection refused');
    const link = createMemoryLink();
    const server = new Connection({ socket: link.server, role: 'server', accept: (hello) => { this.hellos.push(hello); return {}; } });
    server.on('message', (m) => this.received.push(m));
    this.links.push(server);
    const { host: _h, port: _p, ...rest } = options;
    const client = new Connection({ ...rest, socket: link.client, role: 'client' });
    await once(client, 'open');
    return client;
  };

  get current(): Connection {
    return this.links.at(-1) as Connection;
  }
}

describe('application SDK (connectToLca)', () => {
  let clock: sinon.SinonFakeTimers;
  let lca: FakeLca;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    lca = new FakeLca();
  });

  afterEach(async () => {
    for (const link of lca.links) link.close();
    await clock.tickAsync(2000);
    clock.restore();
  });

  it('refuses to start outside an LCA with a message that says why', async () => {
    const error = await connectToLca({ env: {} }).catch((e: Error) => e);
    expect((error as Error).message).to.match(/not started by an mlayer LCA: MLAYER_LCA_ADDRESS/);
  });

  it('registers with its launch token, asks to be watched with its ADDP timeout and sends its state', async () => {
    const client = await connectToLca({ env: ENV, connect: lca.connect });
    await clock.tickAsync(1);
    expect(lca.hellos[0]).to.deep.include({ remoteTimeoutMs: 600, name: 'app-a' });
    expect((lca.hellos[0] as { auth: unknown }).auth).to.deep.include({ scheme: 'app-token', app: 'app-a', token: 'tok', pid: process.pid });
    expect(lca.received[0]).to.deep.equal({ type: 'state', status: 'initializing', role: 'none', facts: {} });
    client.reportStatus('started');
    client.reportFacts({ peer: 'down' });
    await clock.tickAsync(1);
    expect(lca.received.slice(1)).to.deep.equal([{ type: 'status', status: 'started' }, { type: 'facts', facts: { peer: 'down' } }]);
    client.close();
  });

  it('acknowledges a role only once its handler has finished, and refuses it when the handler throws', async () => {
    const seen: string[] = [];
    const client = await connectToLca({
      env: ENV,
      connect: lca.connect,
      onRole: async (role) => {
        if (role === 'none') throw new Error('cannot drop my role now');
        await new Promise((r) => setTimeout(r, 100));
        seen.push(role);
      },
    });
    const ack = lca.current.request({ type: 'set-role', role: 'primary' });
    await clock.tickAsync(99);
    expect(seen).to.deep.equal([]);
    await clock.tickAsync(1);
    expect(await ack).to.deep.equal({ role: 'primary' });
    expect(client.role).to.equal('primary');
    const refused = await lca.current.request({ type: 'set-role', role: 'none' }).catch((e: Error) => e);
    expect((refused as Error).message).to.equal('cannot drop my role now');
    expect(client.role).to.equal('primary');
    client.close();
  });

  // Found by the chaos harness (seed 14): a demotion acknowledged after the LCA had stopped
  // waiting left the LCA (and so the SCS) believing the application was still primary.
  it('tells the LCA the role it took even when the LCA stopped waiting for the acknowledgement', async () => {
    const client = await connectToLca({ env: ENV, connect: lca.connect, onRole: () => new Promise((r) => setTimeout(r, 300)) });
    const late = lca.current.request({ type: 'set-role', role: 'backup' }, { timeoutMs: 100 }).catch((e: Error) => e);
    await clock.tickAsync(100);
    expect(await late).to.be.instanceOf(Error);
    await clock.tickAsync(201);
    expect(client.role).to.equal('backup');
    expect(lca.received.at(-1)).to.deep.equal({ type: 'state', status: 'initializing', role: 'backup', facts: {} });
    client.close();
  });

  // Found by the chaos harness (seed 136): a slow change to primary finished after a later,
  // quicker change to backup, and the application ended up primary against the SCS's last word.
  it('takes role changes one at a time, in the order they were asked for', async () => {
    const delays: Record<string, number> = { primary: 300, backup: 10 };
    const client = await connectToLca({ env: ENV, connect: lca.connect, onRole: (role) => new Promise((r) => setTimeout(r, delays[role])) });
    const first = lca.current.request({ type: 'set-role', role: 'primary' });
    const second = lca.current.request({ type: 'set-role', role: 'backup' });
    await clock.tickAsync(300);
    expect(await first).to.deep.equal({ role: 'primary' });
    expect(client.role).to.equal('primary');
    await clock.tickAsync(10);
    expect(await second).to.deep.equal({ role: 'backup' });
    expect(client.role).to.equal('backup');
    client.close();
  });

  it('answers fresh-fact queries from its handler', async () => {
    const client = await connectToLca({ env: ENV, connect: lca.connect, onQueryFacts: () => ({ peer: 'down', database: 'up' }) });
    expect(await lca.current.request({ type: 'query-facts' })).to.deep.equal({ facts: { peer: 'down', database: 'up' } });
    client.close();
  });

  it('reconnects with jittered, capped backoff after losing the LCA, and re-sends its whole state', async () => {
    const client = await connectToLca({ env: ENV, connect: lca.connect, reconnect: { initialMs: 100, maxMs: 800, random: () => 0.5 } });
    await lca.current.request({ type: 'set-role', role: 'backup' });
    client.reportStatus('started');
    client.reportFacts({ sync: 'in-sync' });
    await clock.tickAsync(1);

    lca.up = false;
    lca.current.close('LCA restarting');
    await clock.tickAsync(1);
    expect(client.connected).to.equal(false);
    // Delays with random = 0.5: 50, 100, 200, 400, 400 (capped at 800 * 0.5) ms.
    await clock.tickAsync(50 + 100 + 200 + 400);
    expect(lca.attempts).to.equal(1 + 4);
    lca.up = true;
    await clock.tickAsync(400);
    expect(lca.attempts).to.equal(6);
    expect(client.connected).to.equal(true);
    await clock.tickAsync(1);
    expect(lca.received.at(-1)).to.deep.equal({ type: 'state', status: 'started', role: 'backup', facts: { sync: 'in-sync' } });
    client.close();
  });

  it('stops reconnecting once closed', async () => {
    const client = await connectToLca({ env: ENV, connect: lca.connect });
    client.close();
    await clock.tickAsync(10_000);
    expect(lca.attempts).to.equal(1);
    expect(clock.countTimers()).to.equal(0);
  });

  it('reports suspend to its handler and acknowledges it', async () => {
    let suspended = 0;
    const client = await connectToLca({ env: ENV, connect: lca.connect, onSuspend: () => { suspended++; } });
    expect(await lca.current.request({ type: 'suspend' })).to.deep.equal({ ok: true });
    expect(suspended).to.equal(1);
    expect(client.status).to.equal('suspending');
    client.close();
  });

  it('sends only messages the LCA understands', async () => {
    const client = await connectToLca({ env: ENV, connect: lca.connect });
    client.reportStatus('service-unavailable');
    await clock.tickAsync(1);
    const { appMessageSchema } = await import('@mlayer/common');
    for (const message of lca.received) expect(appMessageSchema.safeParse(message as AppMessage).success).to.equal(true);
    client.close();
  });
});
