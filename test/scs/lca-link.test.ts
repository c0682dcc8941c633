// The SCS's LcaLink against a real LocalControlAgent (in this process) and real demo
// applications: authentication, snapshot, live reports, commands, and an LCA restart on the
// same port that re-adopts the running application.

import { once } from 'node:events';
import net from 'node:net';
import { expect } from 'chai';
import { type AppReport, type LcaMessage, type MemoryLogger, type Snapshot, createMemoryLogger } from '@mlayer/common';
import { LocalControlAgent } from '@mlayer/lca';
import { LcaDownError, LcaLink, type LcaLinkLoss, type LcaLinkOptions } from '@mlayer/scs/internal';
import { cleanupDaemons, demoSpec, freePort, killGroup, tempDir } from '../support/daemons.js';
import { ask } from '../support/demo-client.js';
import { waitFor } from '../support/wait.js';

const SECRET = 'integration-secret-for-lca-link';

type StatusMessage = Extract<LcaMessage, { type: 'app-status' }>;

describe('LcaLink with a real LCA and the demo app', function () {
  this.timeout(60_000);
  let running: Set<LocalControlAgent>;
  let links: LcaLink[];
  let pids: Set<number>;
  let lcaLogs: MemoryLogger;
  let scsLogs: MemoryLogger;
  let stateDir: string;

  beforeEach(() => {
    running = new Set();
    links = [];
    pids = new Set();
    lcaLogs = createMemoryLogger('debug');
    scsLogs = createMemoryLogger('debug');
    stateDir = tempDir('mlayer-lca-link-');
  });

  afterEach(async () => {
    for (const link of links) await link.stop();
    for (const agent of running) await agent.stop();
    for (const pid of pids) killGroup(pid);
    await cleanupDaemons();
  });

  async function startAgent(port = 0): Promise<LocalControlAgent> {
    const agent = new LocalControlAgent({ listen: { host: '127.0.0.1', port }, name: 'host-a', secret: SECRET, stateDir, logger: lcaLogs.logger });
    await agent.start();
    running.add(agent);
    return agent;
  }

  async function stopAgent(agent: LocalControlAgent): Promise<void> {
    running.delete(agent);
    await agent.stop();
  }

  /** A link whose reports are collected (and whose application pids are killed after the test). */
  function newLink(agent: LocalControlAgent, options: Partial<LcaLinkOptions> = {}): { link: LcaLink; reports: LcaMessage[] } {
    const address = agent.address;
    if (!address) throw new Error('the LCA is not listening');
    const link = new LcaLink({
      host: 'host-a',
      address,
      secret: SECRET,
      scsId: 'scs-test',
      addp: { timeoutMs: 2000, remoteTimeoutMs: 2000, trace: 'off' },
      backoff: { initialMs: 50, maxMs: 500 },
      logger: scsLogs.logger,
      ...options,
    });
    links.push(link);
    const reports: LcaMessage[] = [];
    link.on('report', (message) => {
      reports.push(message);
      if (message.type === 'app-status' && message.report.pid !== null) pids.add(message.report.pid);
    });
    return { link, reports };
  }

  const statuses = (reports: readonly LcaMessage[], app: string) =>
    reports.filter((m): m is StatusMessage => m.type === 'app-status' && m.report.app === app).map((m) => m.report.status);

  function waitForStatus(link: LcaLink, reports: readonly LcaMessage[], app: string, status: string): Promise<StatusMessage> {
    return waitFor(`${app} ${status}`, () => reports.find((m): m is StatusMessage => m.type === 'app-status' && m.report.app === app && m.report.status === status), { events: [[link, 'report']] });
  }

  async function startDemo(link: LcaLink, reports: readonly LcaMessage[], name: string): Promise<{ port: number; report: AppReport }> {
    const port = await freePort();
    const report = await link.startApp(demoSpec(name, port));
    if (report.pid !== null) pids.add(report.pid);
    await waitForStatus(link, reports, name, 'started');
    return { port, report };
  }

  it('authenticates, takes the snapshot, starts the demo app with live reports and gets a role acknowledged', async () => {
    const agent = await startAgent();
    const { link, reports } = newLink(agent);
    const connected = once(link, 'connected');
    link.start();
    const [snapshot] = (await connected) as [Snapshot];
    expect(snapshot).to.deep.equal({ type: 'snapshot', host: 'host-a', epoch: 0, apps: [], scs: [{ scs: 'scs-test', epoch: 0 }] });
    expect(link.connected).to.equal(true);

    const { port, report } = await startDemo(link, reports, 'app-a');
    expect(report).to.include({ app: 'app-a', status: 'start-pending' });
    expect(statuses(reports, 'app-a')).to.deep.equal(['start-pending', 'initializing', 'started']);

    expect(await link.setRole('app-a', 'primary', 5000)).to.equal('primary');
    await waitFor('app-role primary', () => reports.find((m) => m.type === 'app-role' && m.app === 'app-a' && m.role === 'primary'), { events: [[link, 'report']] });
    expect(await ask(port, 'ROLE')).to.equal('primary');
    expect(await link.queryFacts('app-a', 5000)).to.be.an('object');
    const now = await link.snapshot();
    expect(now.apps[0]).to.include({ app: 'app-a', status: 'started', role: 'primary', pid: report.pid });
  });

  it('sees an LCA restart on the same port: disconnected, then connected with the application re-adopted (same pid)', async () => {
    const agent = await startAgent();
    const { link, reports } = newLink(agent);
    const up = once(link, 'connected');
    link.start();
    await up;
    const { port, report } = await startDemo(link, reports, 'app-a');
    expect(await link.setRole('app-a', 'primary', 5000)).to.equal('primary');

    const lost = once(link, 'disconnected');
    await stopAgent(agent);
    const [loss] = (await lost) as [LcaLinkLoss];
    expect(loss).to.include({ reason: 'closed', local: false });
    expect(loss.message).to.contain('LCA shutting down');
    expect(link.connected).to.equal(false);
    const refused = await link.snapshot().then(() => expect.fail('must fail while down'), (e: unknown) => e);
    expect(refused).to.be.instanceOf(LcaDownError);
    expect(await ask(port, 'PING')).to.equal('PONG primary'); // the application outlived its LCA

    const again = once(link, 'connected');
    await startAgent(link.address.port);
    const [snapshot] = (await again) as [Snapshot];
    expect(snapshot.apps).to.have.length(1);
    expect(snapshot.apps[0]).to.include({ app: 'app-a', pid: report.pid, role: 'primary' });
    expect(snapshot.apps[0]?.status).to.be.oneOf(['initializing', 'started']);
    expect(link.connected).to.equal(true);
    // Still the same process, and managed again once its SDK has found the new LCA.
    await waitFor('the application to re-register', () => lcaLogs.lines.find((l) => l.message === 'application registered' && l.readopted === true));
    expect(await link.setRole('app-a', 'backup', 5000)).to.equal('backup');
    expect(await ask(port, 'ROLE')).to.equal('backup');
    expect(statuses(reports, 'app-a')).to.not.include('stopped');
  });

  it('stop() aborts a handshake in flight with a silent peer at once', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => {
      sockets.push(socket);
      socket.resume(); // reads (and so sees the close), never answers the HELLO
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const link = new LcaLink({ host: 'host-a', address: { host: '127.0.0.1', port }, secret: SECRET, scsId: 'scs-test', logger: scsLogs.logger });
      links.push(link);
      link.start();
      await waitFor('the TCP connection', () => sockets.length === 1);
      const closed = once(sockets[0] as net.Socket, 'close');
      const began = Date.now();
      await link.stop();
      await closed;
      expect(Date.now() - began).to.be.below(1000);
      expect(link.status).to.equal('stopped');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses an LCA with another secret: logged on both sides, never connected, retried', async () => {
    const agent = await startAgent();
    const { link } = newLink(agent, { secret: 'not-the-lca-secret' });
    link.on('connected', () => expect.fail('must not connect with a wrong secret'));
    link.start();
    const failures = () => scsLogs.lines.filter((l) => l.message === 'LCA authentication failed');
    await waitFor('two failed authentications', () => failures().length >= 2, { events: [[link, 'status']] });
    expect(link.connected).to.equal(false);
    expect(failures()[0]).to.include({ level: 'error', host: 'host-a' });
    expect(String(failures()[0]?.error)).to.match(/^wrong secret: the proof of the LCA of host host-a/);
    // The LCA learns why in the CLOSE reason of the link (logged by its ADDP layer).
    await waitFor('the LCA to log the refusal', () => lcaLogs.lines.find((l) => String(l.detail).includes('wrong secret')));
  });
});
