// An LCA serves every SCS that authenticates (an SCS pair connects to every LCA): each gets
// every report, and what one asks for is seen by both.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { type AppReport, type LcaMessage, type Snapshot } from '@mlayer/common';
import { cleanupDaemons, demoSpec, freePort, startLca } from '../support/daemons.js';
import { ask } from '../support/demo-client.js';
import { connectAsScs, statusOf, statusesOf } from '../support/scs-client.js';

describe('mlayer lca with two SCSs connected', function () {
  this.timeout(60_000);
  afterEach(() => cleanupDaemons());

  it('sends every report to both, and a stop from one is seen by both', async () => {
    const lca = await startLca({ secret: 'two-scs-test-secret-89ab' });
    const scsA = await connectAsScs(lca.port, lca.secret, { name: 'scs-a' });
    const scsB = await connectAsScs(lca.port, lca.secret, { name: 'scs-b' });
    try {
      const port = await freePort();
      const reply = (await scsA.request({ type: 'start', app: demoSpec('app-a', port) })) as AppReport;
      await Promise.all([scsA, scsB].map((scs) => scs.waitForMessage('started', statusOf('app-a', 'started'))));
      expect(await scsA.request({ type: 'set-role', app: 'app-a', role: 'primary' })).to.deep.equal({ role: 'primary' });
      expect(await ask(port, 'FACT database up')).to.equal('OK');
      await Promise.all([scsA, scsB].map((scs) => scs.waitForMessage('facts', (m): m is LcaMessage => m.type === 'app-facts' && m.facts.database === 'up')));

      expect(await scsB.request({ type: 'stop', app: 'app-a', graceful: false })).to.include({ status: 'stop-pending', pid: reply.pid });
      const [stoppedA, stoppedB] = await Promise.all([scsA, scsB].map((scs) => scs.waitForMessage('stopped', statusOf('app-a', 'stopped'))));
      expect(stoppedA?.report).to.include({ reason: 'stop', pid: reply.pid });
      expect(stoppedB?.report).to.deep.equal(stoppedA?.report);

      expect(statusesOf(scsA, 'app-a')).to.deep.equal(['start-pending', 'initializing', 'started', 'stop-pending', 'stopped']);
      expect(scsA.messages.map((m) => m.type)).to.include.members(['app-status', 'app-role', 'app-facts']);
      // The same application reports, in the same order (session lists differ: each SCS joined at its own time).
      const appReports = (messages: LcaMessage[]) => messages.filter((m) => m.type !== 'scs-sessions');
      expect(appReports(scsB.messages)).to.deep.equal(appReports(scsA.messages));
    } finally {
      scsA.close();
      scsB.close();
    }
  });

  it('fences an older SCS epoch: a claim is durable and told to every SCS when answered, and the older epoch\'s commands are refused until a restart and after', async () => {
    const lca = await startLca({ secret: 'two-scs-test-secret-89ab' });
    const old = await connectAsScs(lca.port, lca.secret, { name: 'scs-a' });
    const next = await connectAsScs(lca.port, lca.secret, { name: 'scs-b' });
    try {
      expect(await old.request({ type: 'claim', epoch: 1 })).to.include({ epoch: 1 });
      // The new primary claims twice at once (a retry racing the first): both answered once durable.
      const claims = (await Promise.all([next.request({ type: 'claim', epoch: 2 }), next.request({ type: 'claim', epoch: 2 })])) as Snapshot[];
      expect(claims.map((c) => c.epoch)).to.deep.equal([2, 2]);
      expect(JSON.parse(readFileSync(join(lca.stateDir, 'state.json'), 'utf8'))).to.include({ epoch: 2 });
      const told = await old.waitForMessage('the new epoch', (m): m is Extract<LcaMessage, { type: 'scs-sessions' }> => m.type === 'scs-sessions' && m.epoch === 2);
      expect(told.sessions.map((x) => x.scs).sort()).to.deep.equal(['scs-a', 'scs-b']);
      const refused = await old.request({ type: 'kill', app: 'app-a', epoch: 1 }).then(() => expect.fail('must be refused'), (e: unknown) => e);
      expect(refused).to.include({ remoteCode: 'ESTALEEPOCH', message: 'stale epoch 1: this LCA follows epoch 2 (another SCS took over)' });
      // The new epoch gets past the fence (and the LCA's own answer about the unknown application).
      const unknown = await next.request({ type: 'kill', app: 'app-a', epoch: 2 }).then(() => expect.fail('no such application'), (e: unknown) => e);
      expect(unknown).to.include({ remoteCode: 'EUNKNOWNAPP' });
      // A lower claim does not lower the fence: the answer shows the epoch that stands.
      expect(await old.request({ type: 'claim', epoch: 1 })).to.include({ epoch: 2 });
    } finally {
      old.close();
      next.close();
    }
    await lca.stop();
    const restarted = await startLca({ secret: 'two-scs-test-secret-89ab', stateDir: lca.stateDir });
    const again = await connectAsScs(restarted.port, restarted.secret, { name: 'scs-a' });
    try {
      expect(again.snapshot.epoch).to.equal(2);
      const refused = await again.request({ type: 'stop', app: 'app-a', epoch: 1 }).then(() => expect.fail('must be refused'), (e: unknown) => e);
      expect(refused).to.include({ remoteCode: 'ESTALEEPOCH' });
    } finally {
      again.close();
    }
  });
});
