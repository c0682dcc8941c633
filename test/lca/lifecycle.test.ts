// A real `mlayer lca` process, real demo applications, and the test playing the SCS.

import { expect } from 'chai';
import { type AppReport, type LcaMessage } from '@mlayer/common';
import { cleanupDaemons, demoSpec, freePort, startLca, type RunningLca } from '../support/daemons.js';
import { ask, watch } from '../support/demo-client.js';
import { connectAsScs, statusOf, statusesOf, type TestScs } from '../support/scs-client.js';

describe('mlayer lca with real applications', function () {
  this.timeout(60_000);
  let lca: RunningLca;
  let scs: TestScs;

  beforeEach(async () => {
    lca = await startLca({ secret: 'a-long-enough-test-secret' });
    scs = await connectAsScs(lca.port, lca.secret);
  });

  afterEach(async () => {
    scs?.close();
    await cleanupDaemons();
  });

  async function startDemo(name: string, overrides: Parameters<typeof demoSpec>[2] = {}): Promise<{ port: number; pid: number }> {
    const port = await freePort();
    const reply = (await scs.request({ type: 'start', app: demoSpec(name, port, overrides) })) as AppReport;
    await scs.waitForMessage(`${name} started`, statusOf(name, 'started'));
    return { port, pid: reply.pid as number };
  }

  it('starts an application and reports start-pending, initializing, started in order', async () => {
    expect(scs.snapshot.apps).to.deep.equal([]);
    expect(scs.snapshot.host).to.equal('host-t');
    const { port, pid } = await startDemo('app-a');
    expect(statusesOf(scs, 'app-a')).to.deep.equal(['start-pending', 'initializing', 'started']);
    const started = scs.messages.find(statusOf('app-a', 'started')) as Extract<LcaMessage, { type: 'app-status' }>;
    expect(started.report.pid).to.equal(pid);
    expect(await ask(port, 'PING')).to.equal('PONG none');
  });

  it('forwards a role change, answers with the application\'s acknowledgement, and WATCH shows it', async () => {
    const { port } = await startDemo('app-a');
    const watcher = await watch(port);
    await watcher.waitForLine('role none');
    expect(await scs.request({ type: 'set-role', app: 'app-a', role: 'primary' })).to.deep.equal({ role: 'primary' });
    await watcher.waitForLine('role primary');
    await scs.waitForMessage('app-role primary', (m): m is LcaMessage => m.type === 'app-role' && m.role === 'primary');
    expect(await ask(port, 'ROLE')).to.equal('primary');
    watcher.close();
  });

  it('reports service-unavailable on SIGUSR1 and started again on SIGUSR2', async () => {
    const { pid } = await startDemo('app-a');
    process.kill(pid, 'SIGUSR1');
    await scs.waitForMessage('service-unavailable', statusOf('app-a', 'service-unavailable'));
    process.kill(pid, 'SIGUSR2');
    await scs.waitForMessage('started again', (m): m is LcaMessage => statusesOf(scs, 'app-a').lastIndexOf('started') > statusesOf(scs, 'app-a').indexOf('service-unavailable'));
    expect(statusesOf(scs, 'app-a').slice(-2)).to.deep.equal(['service-unavailable', 'started']);
  });

  it('forwards facts the application reports and answers fresh-fact queries', async () => {
    const { port } = await startDemo('app-a');
    expect(await ask(port, 'FACT peer down')).to.equal('OK');
    await scs.waitForMessage('facts', (m): m is LcaMessage => m.type === 'app-facts' && m.facts.peer === 'down');
    expect(await scs.request({ type: 'query-facts', app: 'app-a' })).to.deep.equal({ facts: { peer: 'down' } });
  });

  it('reports a process killed with SIGKILL as stopped at once', async () => {
    const { pid } = await startDemo('app-a');
    process.kill(pid, 'SIGKILL');
    const stopped = await scs.waitForMessage('stopped', statusOf('app-a', 'stopped'));
    expect(stopped.report.pid).to.equal(pid);
    expect(stopped.report.reason).to.be.oneOf(['link-closed', 'signal']);
  });

  it('reports a process frozen with SIGSTOP as hung within T + T/3, then kills it', async () => {
    const T = 500;
    const { pid } = await startDemo('app-a', { addpTimeoutMs: T });
    const stoppedAt = performance.now();
    process.kill(pid, 'SIGSTOP');
    await scs.waitForMessage('hung', statusOf('app-a', 'hung'));
    const detectedMs = performance.now() - stoppedAt;
    expect(detectedMs).to.be.at.most(T + T / 3);
    const stopped = await scs.waitForMessage('stopped after hang', statusOf('app-a', 'stopped'));
    expect(stopped.report.reason).to.equal('hang');
    expect(stopped.report.signal).to.equal('SIGKILL');
  });

  it('stops an application gracefully: suspending, then stopped with exit code 0', async () => {
    await startDemo('app-a');
    await scs.request({ type: 'stop', app: 'app-a', graceful: true });
    const stopped = await scs.waitForMessage('stopped', statusOf('app-a', 'stopped'));
    expect(statusesOf(scs, 'app-a').slice(-2)).to.deep.equal(['suspending', 'stopped']);
    expect(stopped.report).to.include({ reason: 'stop', exitCode: 0, signal: null });
  });

  it('answers commands for unknown applications with a clear error', async () => {
    const error = await scs.request({ type: 'stop', app: 'nope', graceful: false }).catch((e: Error) => e);
    expect(error).to.have.property('remoteCode', 'EUNKNOWNAPP');
    expect((error as Error).message).to.contain('no application "nope" on host host-t');
  });
});
