// An LCA serves every SCS that authenticates (an SCS pair connects to every LCA): each gets
// every report, and what one asks for is seen by both.

import { expect } from 'chai';
import { type AppReport, type LcaMessage } from '@mlayer/common';
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
});
