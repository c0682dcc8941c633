// The LCA is a process like any other: when it dies, its applications keep running, and when it
// comes back with the same state dir it re-adopts them without restarting them.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { type AppReport, type LcaMessage } from '@mlayer/common';
import { cleanupDaemons, demoSpec, freePort, startLca } from '../support/daemons.js';
import { ask } from '../support/demo-client.js';
import { connectAsScs, statusOf } from '../support/scs-client.js';
import { pollUntil, waitFor } from '../support/wait.js';

const SECRET = 'restart-test-secret-123';

/** An LCA (with `secret`, or on loopback without) running app-a, the demo application, reported started; and the test SCS that started it. */
async function lcaWithStartedApp(secret?: string) {
  const lca = await startLca(secret === undefined ? {} : { secret });
  const scs = await connectAsScs(lca.port, lca.secret);
  const port = await freePort();
  const started = (await scs.request({ type: 'start', app: demoSpec('app-a', port) })) as AppReport;
  await scs.waitForMessage('started', statusOf('app-a', 'started'));
  return { lca, scs, port, started };
}

describe('mlayer lca restart', function () {
  this.timeout(60_000);
  afterEach(() => cleanupDaemons());

  it('re-adopts a running application after kill -9 and restart: same pid, same role, correct snapshot', async () => {
    const { lca, scs, port, started } = await lcaWithStartedApp(SECRET);
    await scs.request({ type: 'set-role', app: 'app-a', role: 'primary' });
    scs.close();

    await lca.kill();
    expect(await ask(port, 'PING')).to.equal('PONG primary'); // the application outlived its LCA

    const again = await startLca({ secret: SECRET, stateDir: lca.stateDir, port: lca.port });
    const scs2 = await connectAsScs(again.port, again.secret);
    const [app] = scs2.snapshot.apps;
    expect(app).to.include({ app: 'app-a', pid: started.pid, role: 'primary' });
    expect(app?.status).to.be.oneOf(['started', 'initializing']);
    // The application's SDK reconnects by itself; once it has, the LCA knows its live state.
    await waitFor('the application to re-register', () => again.logs.find((l) => l.message === 'application registered' && l.readopted === true));
    const snapshot = (await scs2.request({ type: 'snapshot' })) as { apps: AppReport[] };
    expect(snapshot.apps[0]).to.include({ app: 'app-a', pid: started.pid, status: 'started', role: 'primary' });
    // And it is managed again: a role change goes through to the same process.
    expect(await scs2.request({ type: 'set-role', app: 'app-a', role: 'backup' })).to.deep.equal({ role: 'backup' });
    expect(await ask(port, 'ROLE')).to.equal('backup');
    const statuses = scs2.messages.filter((m): m is Extract<LcaMessage, { type: 'app-status' }> => m.type === 'app-status').map((m) => m.report.status);
    expect(statuses).to.not.include('stopped');
    expect(statuses).to.not.include('start-pending');
    scs2.close();
  });

  it('re-adopts, by its launch token, an application whose pid the LCA did not save before it died', async () => {
    const { lca, scs, started } = await lcaWithStartedApp(SECRET);
    scs.close();
    await lca.kill();
    // As if the LCA had died right after saving the token, before the spawn's pid was saved.
    const file = join(lca.stateDir, 'state.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as { apps: Record<string, Record<string, unknown>> };
    state.apps['app-a'] = { ...state.apps['app-a'], pid: null, startTime: null, status: 'stopped', role: 'none' };
    writeFileSync(file, JSON.stringify(state));

    const again = await startLca({ secret: SECRET, stateDir: lca.stateDir, port: lca.port });
    const adopted = again.logs.find((l) => l.message === 're-adopting an application found by its launch token (the LCA died while starting it)');
    expect(adopted).to.include({ app: 'app-a', pid: started.pid });
    const scs2 = await connectAsScs(again.port, again.secret);
    // It registers again with its token (its SDK reconnects) and reports started.
    await pollUntil('app-a started under the restarted LCA', async () => {
      const snapshot = (await scs2.request({ type: 'snapshot' })) as { apps: AppReport[] };
      const app = snapshot.apps.find((a) => a.app === 'app-a');
      return app?.status === 'started' && app.pid === started.pid ? app : undefined;
    }, { timeoutMs: 15_000 });
    // Managed again: a stop from the SCS ends it.
    await scs2.request({ type: 'stop', app: 'app-a', graceful: false, epoch: 0 });
    await scs2.waitForMessage('stopped', statusOf('app-a', 'stopped'));
    scs2.close();
  });

  it('reports an application that died while the LCA was down as stopped', async () => {
    const { lca, scs, started } = await lcaWithStartedApp();
    scs.close();
    await lca.kill();
    process.kill(started.pid as number, 'SIGKILL');
    await waitFor('the application to die', () => { try { process.kill(started.pid as number, 0); return false; } catch { return true; } });

    const again = await startLca({ stateDir: lca.stateDir });
    const scs2 = await connectAsScs(again.port, undefined);
    expect(scs2.snapshot.apps).to.deep.equal([]); // not running, so not adopted
    expect(again.logs.find((l) => l.message === 'application launched by an earlier run is gone')).to.include({ app: 'app-a' });
    scs2.close();
  });

  it('writes the application\'s output to LOG_DIR/<app>.log', async () => {
    const lca = await startLca();
    const scs = await connectAsScs(lca.port, undefined);
    const port = await freePort();
    await scs.request({ type: 'start', app: demoSpec('app-a', port) });
    await scs.waitForMessage('started', statusOf('app-a', 'started'));
    const log = await waitFor('the demo app to log its start', () => {
      const text = readFileSync(join(lca.logDir, 'app-a.log'), 'utf8');
      return text.includes('demo app started') ? text : undefined;
    });
    expect(JSON.parse(log.split('\n').find((l) => l.includes('demo app started')) as string)).to.include({ component: 'demo-app', port });
    scs.close();
  });
});
