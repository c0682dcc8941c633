// The LCA at the edges of an application's life: a second start, a process that never
// registers, a command that does not exist, an exit with a code, stops and kills, and the facts
// a config-server reports. A real `mlayer lca`, real processes, the test playing the SCS.

import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { type AppReport, type LcaMessage } from '@mlayer/common';
import { cleanupDaemons, demoSpec, freePort, startLca, type RunningLca } from '../support/daemons.js';
import { ask } from '../support/demo-client.js';
import { connectAsScs, statusOf, statusesOf, type TestScs } from '../support/scs-client.js';
import { waitFor } from '../support/wait.js';

type StatusMessage = Extract<LcaMessage, { type: 'app-status' }>;

/** Pids of live processes launched for `app` by the LCA on `lcaPort` (from their environment). */
function processesOf(app: string, lcaPort: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string[];
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
    } catch {
      continue; // gone, or not ours
    }
    if (environ.includes(`MLAYER_APP_NAME=${app}`) && environ.includes(`MLAYER_LCA_ADDRESS=127.0.0.1:${lcaPort}`)) pids.push(Number(entry));
  }
  return pids;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const reportsOf = (scs: TestScs, app: string): AppReport[] =>
  scs.messages.filter((m): m is StatusMessage => m.type === 'app-status' && m.report.app === app).map((m) => m.report);

describe('mlayer lca at the edges of an application\'s life', function () {
  this.timeout(60_000);
  let lca: RunningLca;
  let scs: TestScs;

  beforeEach(async () => {
    lca = await startLca({ secret: 'edge-cases-test-secret-0123' });
    scs = await connectAsScs(lca.port, lca.secret);
  });

  afterEach(async () => {
    scs?.close();
    await cleanupDaemons();
  });

  async function startDemo(name: string, extraArgs: string[] = []): Promise<{ port: number; pid: number }> {
    const port = await freePort();
    const spec = demoSpec(name, port, { args: ['--port', String(port), ...extraArgs] });
    const reply = (await scs.request({ type: 'start', app: spec })) as AppReport;
    await scs.waitForMessage(`${name} started`, statusOf(name, 'started'));
    return { port, pid: reply.pid as number };
  }

  it('answers a second start of a running application with the same pid and starts no second process', async () => {
    const port = await freePort();
    const spec = demoSpec('app-a', port);
    // Two starts in flight at once share one launch...
    const [first, concurrent] = (await Promise.all([scs.request({ type: 'start', app: spec }), scs.request({ type: 'start', app: spec })])) as AppReport[];
    expect(first?.pid).to.be.a('number');
    expect(concurrent?.pid).to.equal(first?.pid);
    await scs.waitForMessage('started', statusOf('app-a', 'started'));
    // ...and a start while it runs answers its current report.
    const again = (await scs.request({ type: 'start', app: spec })) as AppReport;
    expect(again).to.include({ app: 'app-a', pid: first?.pid, status: 'started' });
    expect(statusesOf(scs, 'app-a')).to.deep.equal(['start-pending', 'initializing', 'started']);
    expect(processesOf('app-a', lca.port)).to.deep.equal([first?.pid]);
    expect(await ask(port, 'PING')).to.equal('PONG none');
  });

  it('kills an application that never registers once its start timeout expires (reason start-timeout)', async () => {
    const startTimeoutMs = 1000;
    const spec = { name: 'sleeper', command: 'sleep', args: ['60'], env: {}, addpTimeoutMs: 500, startTimeoutMs, stopTimeoutMs: 1000 };
    const reply = (await scs.request({ type: 'start', app: spec })) as AppReport;
    expect(reply).to.include({ status: 'start-pending' });
    expect(reply.pid).to.be.a('number');
    const stopped = await scs.waitForMessage('sleeper stopped', statusOf('sleeper', 'stopped'));
    expect(stopped.report).to.include({ pid: reply.pid, reason: 'start-timeout', signal: 'SIGKILL', exitCode: null });
    // Timed on the LCA's own clock, from the report of the spawn to the report of the kill.
    expect(stopped.report.mono - reply.mono).to.be.at.least(startTimeoutMs - 5);
    expect(statusesOf(scs, 'sleeper')).to.deep.equal(['start-pending', 'stopped']);
    expect(isAlive(reply.pid as number)).to.equal(false);
  });

  it('fails the start of a command that does not exist with ESPAWN, reports it stopped, and keeps serving', async () => {
    const command = 'mlayer-no-such-command-0451';
    const spec = { name: 'ghost', command, args: [], env: {}, addpTimeoutMs: 500, startTimeoutMs: 5000, stopTimeoutMs: 1000 };
    const error = await scs.request({ type: 'start', app: spec }).then(() => undefined, (e: Error) => e);
    expect(error).to.have.property('remoteCode', 'ESPAWN');
    expect((error as Error).message).to.contain(command);
    const stopped = await scs.waitForMessage('ghost stopped', statusOf('ghost', 'stopped'));
    expect(stopped.report).to.include({ reason: 'spawn-failed', pid: null });
    // Its log line comes on stderr, which may lag the reply on the link.
    const logged = await waitFor('the LCA to log the failed start', () => lca.logs.find((l) => l.message === 'cannot start application'));
    expect(logged).to.include({ app: 'ghost', command });

    // The LCA is fine: it still knows the failure, and starts a real application next.
    const snapshot = (await scs.request({ type: 'snapshot' })) as { apps: AppReport[] };
    expect(snapshot.apps.map((a) => [a.app, a.status, a.reason])).to.deep.equal([['ghost', 'stopped', 'spawn-failed']]);
    const { port } = await startDemo('app-a');
    expect(await ask(port, 'PING')).to.equal('PONG none');
    expect(lca.process.exitCode).to.equal(null);
  });

  it('a config-server demo reports peer=up and database=up at start, and FACT peer down changes it', async () => {
    const { port } = await startDemo('cfg-a', ['--kind', 'config-server']);
    await scs.waitForMessage('facts at start', (m): m is LcaMessage => m.type === 'app-facts' && m.app === 'cfg-a' && m.facts.peer === 'up' && m.facts.database === 'up');
    expect(await scs.request({ type: 'query-facts', app: 'cfg-a' })).to.deep.equal({ facts: { peer: 'up', database: 'up' } });

    expect(await ask(port, 'FACT peer down')).to.equal('OK');
    await scs.waitForMessage('peer down', (m): m is LcaMessage => m.type === 'app-facts' && m.app === 'cfg-a' && m.facts.peer === 'down');
    expect(await scs.request({ type: 'query-facts', app: 'cfg-a' })).to.deep.equal({ facts: { peer: 'down', database: 'up' } });
    const snapshot = (await scs.request({ type: 'snapshot' })) as { apps: AppReport[] };
    expect(snapshot.apps[0]?.facts).to.deep.equal({ peer: 'down', database: 'up' });
  });

  it('reports EXIT 3 as stopped with exit code 3 and reason exit, however the link closing races the exit', async () => {
    const { port, pid } = await startDemo('app-a');
    await ask(port, 'EXIT 3').catch(() => undefined); // it exits without answering
    const final = await scs.waitForMessage('the exit code', (m): m is StatusMessage => statusOf('app-a', 'stopped')(m) && m.report.exitCode === 3);
    expect(final.report).to.include({ pid, exitCode: 3, signal: null, reason: 'exit' });
    // The link may close before the exit is seen: then a first report says link-closed, without
    // an exit code, and the exit fills it in. Either way `stopped` is entered once.
    const stopped = reportsOf(scs, 'app-a').filter((r) => r.status === 'stopped');
    expect(stopped.length).to.be.within(1, 2);
    expect(stopped[0]?.reason).to.be.oneOf(['exit', 'link-closed']);
    expect(stopped.at(-1)).to.equal(final.report);
    expect(statusesOf(scs, 'app-a').filter((s, i, all) => s !== all[i - 1])).to.deep.equal(['start-pending', 'initializing', 'started', 'stopped']);
  });

  it('stops an application non-gracefully: stop-pending (SIGTERM), then stopped with reason stop', async () => {
    const { pid } = await startDemo('app-a');
    const reply = (await scs.request({ type: 'stop', app: 'app-a', graceful: false })) as AppReport;
    expect(reply).to.include({ status: 'stop-pending', pid });
    const stopped = await scs.waitForMessage('stopped', statusOf('app-a', 'stopped'));
    expect(statusesOf(scs, 'app-a').slice(-2)).to.deep.equal(['stop-pending', 'stopped']);
    // The demo application exits 0 on SIGTERM.
    expect(stopped.report).to.include({ pid, reason: 'stop', exitCode: 0, signal: null });
    expect(isAlive(pid)).to.equal(false);
  });

  it('kills an application: stop-pending, then stopped with reason kill and signal SIGKILL', async () => {
    const { pid } = await startDemo('app-a');
    const reply = (await scs.request({ type: 'kill', app: 'app-a' })) as AppReport;
    expect(reply).to.include({ status: 'stop-pending', pid });
    const stopped = await scs.waitForMessage('stopped', statusOf('app-a', 'stopped'));
    expect(statusesOf(scs, 'app-a').slice(-2)).to.deep.equal(['stop-pending', 'stopped']);
    expect(stopped.report).to.include({ pid, reason: 'kill', signal: 'SIGKILL', exitCode: null });
    expect(isAlive(pid)).to.equal(false);
  });
});
