// SIGTERM to an LCA is an orderly shutdown of the agent, not of the host: it exits 0, leaves
// its applications running, and saves what a restarted LCA needs to re-adopt them.

import { once } from 'node:events';
import { expect } from 'chai';
import { type AppReport } from '@mlayer/common';
import { cleanupDaemons, demoSpec, freePort, startLca } from '../support/daemons.js';
import { ask } from '../support/demo-client.js';
import { connectAsScs, statusOf, statusesOf } from '../support/scs-client.js';
import { waitFor } from '../support/wait.js';

describe('mlayer lca on SIGTERM', function () {
  this.timeout(60_000);
  afterEach(() => cleanupDaemons());

  it('exits 0 and leaves its applications running', async () => {
    const lca = await startLca({ secret: 'shutdown-test-secret-4567' });
    const scs = await connectAsScs(lca.port, lca.secret);
    const ports = [await freePort(), await freePort()];
    const pids: number[] = [];
    for (const [i, port] of ports.entries()) {
      const reply = (await scs.request({ type: 'start', app: demoSpec(`app-${i}`, port) })) as AppReport;
      pids.push(reply.pid as number);
      await scs.waitForMessage('started', statusOf(`app-${i}`, 'started'));
    }
    await scs.request({ type: 'set-role', app: 'app-0', role: 'primary' });
    const scsLost = once(scs.link, 'lost');

    await lca.stop();
    expect(lca.process.signalCode).to.equal(null);
    expect(lca.process.exitCode).to.equal(0);
    await scsLost; // the SCS sees its LCA go
    const stopped = await waitFor('the LCA to log its stop', () => lca.logs.find((l) => l.message === 'LCA stopped; applications left running'));
    expect(stopped.running).to.have.members(['app-0', 'app-1']);
    expect(await ask(ports[0] as number, 'PING')).to.equal('PONG primary');
    expect(await ask(ports[1] as number, 'PING')).to.equal('PONG none');
    for (const pid of pids) expect(() => process.kill(pid, 0)).to.not.throw();
  });

  it('a restarted LCA re-adopts what it left running: same pids and roles, nothing restarted', async () => {
    const lca = await startLca();
    const scs = await connectAsScs(lca.port, undefined);
    const port = await freePort();
    const started = (await scs.request({ type: 'start', app: demoSpec('app-a', port) })) as AppReport;
    await scs.waitForMessage('started', statusOf('app-a', 'started'));
    await scs.request({ type: 'set-role', app: 'app-a', role: 'backup' });
    await lca.stop();
    expect(lca.process.exitCode).to.equal(0);

    const again = await startLca({ stateDir: lca.stateDir, port: lca.port });
    const scs2 = await connectAsScs(again.port, undefined);
    expect(scs2.snapshot.apps[0]).to.include({ app: 'app-a', pid: started.pid, role: 'backup' });
    await waitFor('the application to re-register', () => again.logs.find((l) => l.message === 'application registered' && l.readopted === true));
    expect(await scs2.request({ type: 'set-role', app: 'app-a', role: 'primary' })).to.deep.equal({ role: 'primary' });
    expect(await ask(port, 'PING')).to.equal('PONG primary');
    const statuses = statusesOf(scs2, 'app-a');
    expect(statuses).to.not.include('start-pending');
    expect(statuses).to.not.include('stopped');
    scs2.close();
  });
});
