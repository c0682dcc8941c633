// What an LCA does with peers it must not trust: wrong secrets, no credentials, stolen-looking
// registrations, garbage and oversized frames. Each is refused alone; everyone else is served.

import net from 'node:net';
import { once } from 'node:events';
import { expect } from 'chai';
import { connect, encodeFrame, FrameType, HEADER_SIZE, MAGIC } from '@mlayer/addp';
import { AUTH_SCHEME, type AppReport, makeNonce } from '@mlayer/common';
import { cleanupDaemons, demoSpec, freePort, startLca, type RunningLca } from '../support/daemons.js';
import { ask } from '../support/demo-client.js';
import { connectAsScs, statusOf } from '../support/scs-client.js';
import { waitFor } from '../support/wait.js';

describe('mlayer lca refuses untrusted peers', function () {
  this.timeout(60_000);
  let lca: RunningLca;

  beforeEach(async () => {
    lca = await startLca({ secret: 'the-right-secret-for-this-test' });
  });

  afterEach(() => cleanupDaemons());

  it('closes an SCS with the wrong secret before executing anything, and logs why', async () => {
    const error = await connectAsScs(lca.port, 'a-wrong-secret-of-some-length').catch((e: Error) => e);
    expect(error).to.be.instanceOf(Error); // the LCA's own proof does not verify with the wrong secret
    // An SCS that ignores the LCA's proof and sends a start anyway gets nothing executed.
    const link = await connect({ host: '127.0.0.1', port: lca.port, auth: { scheme: AUTH_SCHEME, nonce: makeNonce() } });
    const start = link.request({ type: 'start', app: demoSpec('evil', 1) }).catch((e: Error) => e);
    expect(await start).to.have.property('remoteCode', 'EAUTH');
    const badProof = await connect({ host: '127.0.0.1', port: lca.port, auth: { scheme: AUTH_SCHEME, nonce: makeNonce() } });
    expect(await badProof.request({ type: 'auth', proof: 'f'.repeat(64) }).catch((e: Error) => e)).to.have.property('remoteCode', 'EAUTH');
    await waitFor('the LCA to log the wrong secret', () => lca.logs.find((l) => String(l.why).includes('wrong secret')));
    // Nothing was started: a correct SCS sees an empty host.
    const scs = await connectAsScs(lca.port, lca.secret);
    expect(scs.snapshot.apps).to.deep.equal([]);
    scs.close();
  });

  it('refuses a peer without credentials at the handshake', async () => {
    const error = await connect({ host: '127.0.0.1', port: lca.port }).catch((e: Error) => e);
    expect((error as Error).message).to.contain('no credentials');
  });

  it('refuses an application registration with a wrong launch token', async () => {
    const scs = await connectAsScs(lca.port, lca.secret);
    const port = await freePort();
    await scs.request({ type: 'start', app: demoSpec('app-a', port) });
    await scs.waitForMessage('started', statusOf('app-a', 'started'));
    const error = await connect({
      host: '127.0.0.1', port: lca.port, auth: { scheme: 'app-token', app: 'app-a', token: 'guessed', pid: process.pid },
    }).catch((e: Error) => e);
    expect((error as Error).message).to.contain('wrong launch token');
    expect(await ask(port, 'PING')).to.equal('PONG none'); // the real one is undisturbed
    scs.close();
  });

  it('closes only the connection that sends garbage or an oversized frame, and keeps serving', async () => {
    const scs = await connectAsScs(lca.port, lca.secret);
    const port = await freePort();
    await scs.request({ type: 'start', app: demoSpec('app-a', port) });
    await scs.waitForMessage('started', statusOf('app-a', 'started'));

    const garbage = net.connect({ host: '127.0.0.1', port: lca.port });
    garbage.on('error', () => undefined).resume();
    garbage.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(garbage, 'close');

    const oversize = net.connect({ host: '127.0.0.1', port: lca.port });
    oversize.on('error', () => undefined).resume();
    const header = Buffer.alloc(HEADER_SIZE);
    header.writeUInt16BE(MAGIC, 0);
    header.writeUInt8(1, 2);
    header.writeUInt8(FrameType.HELLO, 3);
    header.writeUInt32BE(512 * 1024 * 1024, 10); // announces 512 MiB
    oversize.write(header);
    await once(oversize, 'close');

    const unknownType = await connect({ host: '127.0.0.1', port: lca.port, auth: { scheme: AUTH_SCHEME, nonce: makeNonce() } });
    const closed = once(unknownType, 'lost');
    unknownType.request({ type: 'format-disk' }).catch(() => undefined);
    await closed;

    const raw = net.connect({ host: '127.0.0.1', port: lca.port });
    raw.on('error', () => undefined).resume(); // consume the CLOSE frame, or 'close' never comes
    raw.write(encodeFrame(FrameType.POLL, 0, 1)); // a frame before any HELLO
    await once(raw, 'close');

    await waitFor('the LCA to log the refusals', () => lca.logs.filter((l) => l.message === 'peer failed the ADDP handshake').length >= 3);
    // The LCA, its SCS and its application are all still fine.
    expect(lca.process.exitCode).to.equal(null);
    const report = (await scs.request({ type: 'snapshot' })) as { apps: AppReport[] };
    expect(report.apps.map((a) => [a.app, a.status])).to.deep.equal([['app-a', 'started']]);
    expect(await ask(port, 'PING')).to.equal('PONG none');
    scs.close();
  });
});
