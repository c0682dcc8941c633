// Named failure scenarios with real processes (the rest of the suite is listed in README.md here).

import { expect } from 'chai';
import { PartitionProxy } from '../support/partition-proxy.js';
import { ask, watch } from '../support/demo-client.js';
import { type Event, TestSolution } from '../support/solution.js';

const PAIR = [
  { name: 'stat-a', host: 'host-a', backup: 'stat-b' },
  { name: 'stat-b', host: 'host-b' },
] as const;

const switchovers = (events: Event[]) => events.filter((e) => e.type === 'switchover-started');

describe('scenarios: failures', function () {
  this.timeout(120_000);
  let solution: TestSolution;
  let proxy: PartitionProxy | undefined;

  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await solution?.stopAll();
  });

  async function running(options: Partial<ConstructorParameters<typeof TestSolution>[0]> = {}): Promise<TestSolution> {
    solution = await new TestSolution({ hosts: ['host-a', 'host-b'], apps: PAIR, ...options }).start();
    await solution.waitForApp('stat-a', 'started', 'primary');
    await solution.waitForApp('stat-b', 'started', 'backup');
    return solution;
  }

  /** Lets `ms` pass while asserting, on every poll, that nothing switched over. */
  async function noSwitchoverFor(ms: number): Promise<void> {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      expect(switchovers(await solution.events())).to.deep.equal([]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('primary hung (SIGSTOP): detected as hung, killed, the backup promoted; resumed it is restarted as backup', async () => {
    await running({ appAddpTimeout: 0.5 });
    const { pid } = await solution.app('stat-a');
    process.kill(pid as number, 'SIGSTOP');
    await solution.waitForEvent('app-hung', (e) => e.type === 'app-hung' && e.app === 'stat-a');
    await solution.waitForApp('stat-b', 'started', 'primary');
    const done = await solution.waitForEvent('switchover-completed', (e) => e.type === 'switchover-completed');
    expect(done).to.include({ reason: 'hang', primary: 'stat-b' });
    try {
      process.kill(pid as number, 'SIGCONT'); // the LCA killed it already; resuming changes nothing
    } catch {
      // gone, as expected
    }
    const back = await solution.waitForApp('stat-a', 'started', 'backup');
    expect(back.pid).to.not.equal(pid);
  });

  // A stall is tolerated when it is shorter than 2T/3 minus scheduling delays (see README.md here):
  // half of T leaves a sixth of T (333 ms with T = 2 s) for a loaded machine.
  it('a stall (HANG) of half the timeout causes no failover', async () => {
    await running({ appAddpTimeout: 2 });
    expect(await ask(solution.port('stat-a'), 'HANG 1000')).to.equal('OK');
    await noSwitchoverFor(3000);
    expect((await solution.app('stat-a')).role).to.equal('primary');
  });

  it('a slow primary that stalls again and again, each time for half the timeout, causes no failover', async () => {
    await running({ appAddpTimeout: 2 });
    for (let i = 0; i < 4; i++) expect(await ask(solution.port('stat-a'), 'HANG 1000')).to.equal('OK');
    await noSwitchoverFor(2500);
    expect((await solution.app('stat-a')).status).to.equal('started');
  });

  it('fast restart loop: more than 3 switchovers in 60 s raise flapping and stop restarting the flapping application', async () => {
    await running();
    for (let i = 0; i < 4; i++) {
      const primary = (await solution.get<Array<{ name: string; role: string; pid: number }>>('/api/v1/applications')).find((a) => a.role === 'primary');
      const other = primary?.name === 'stat-a' ? 'stat-b' : 'stat-a';
      process.kill(primary?.pid as number, 'SIGKILL');
      await solution.waitForApp(other, 'started', 'primary');
      if (i < 3) await solution.waitForApp(primary?.name as string, 'started', 'backup');
    }
    const flapping = await solution.waitForEvent('flapping', (e) => e.type === 'flapping');
    expect(flapping).to.include({ pair: 'stat-a', windowS: 60 });
    expect(flapping.switchovers).to.be.greaterThan(3);
    // The application that failed last is not restarted until an operator starts it.
    const apps = await solution.get<Array<{ name: string; status: string; role: string }>>('/api/v1/applications');
    const flapper = apps.find((a) => a.role !== 'primary') as { name: string; status: string };
    // Longer than any restart delay of this configuration (maxDelay 2 s): still not restarted.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await solution.app(flapper.name)).status).to.equal('stopped');
    expect((await solution.post(`/api/v1/applications/${flapper.name}/start`)).status).to.equal(202);
    await solution.waitForApp(flapper.name, 'started', 'backup');
  });

  it('no eligible backup: the primary dies with its backup stopped; no switchover, it comes back as primary', async () => {
    await running();
    expect((await solution.post('/api/v1/applications/stat-b/stop')).status).to.equal(202);
    await solution.waitForApp('stat-b', 'stopped', 'none');
    const { pid } = await solution.app('stat-a');
    const mark = Math.max(...(await solution.events()).map((e) => e.seq));
    process.kill(pid as number, 'SIGKILL');
    await solution.waitForEvent('stat-a stopped', (e) => e.seq > mark && e.type === 'app-status' && e.app === 'stat-a' && e.to === 'stopped');
    const back = await solution.waitForApp('stat-a', 'started', 'primary');
    expect(back.pid).to.not.equal(pid);
    expect(switchovers(await solution.events())).to.deep.equal([]);
    expect((await solution.app('stat-b')).status).to.equal('stopped'); // a planned stop is never restarted
  });

  it('SCS crash in the middle of a switchover: the restarted SCS finishes with exactly one primary', async () => {
    await running();
    const watcher = await watch(solution.port('stat-b'));
    const { pid } = await solution.app('stat-a');
    process.kill(pid as number, 'SIGKILL');
    await solution.waitForEvent('switchover-started', (e) => e.type === 'switchover-started');
    await solution.scs?.kill();
    await solution.startScs();
    await solution.waitForApp('stat-b', 'started', 'primary');
    await solution.waitForApp('stat-a', 'started', 'backup');
    await watcher.waitForLine('role primary');
    const roles = await Promise.all([ask(solution.port('stat-a'), 'ROLE'), ask(solution.port('stat-b'), 'ROLE')]);
    expect(roles).to.deep.equal(['backup', 'primary']);
    watcher.close();
  });

  it('host partitioned from the SCS: host failure switchover; after healing the old primary is demoted, not reclaimed', async () => {
    solution = await new TestSolution({ hosts: ['host-a', 'host-b'], apps: PAIR }).start(async (s) => {
      proxy = await new PartitionProxy({ host: '127.0.0.1', port: s.lcas.get('host-a')?.port as number }).start();
      s.lcaAddress.set('host-a', proxy.address); // the SCS reaches host-a only through the proxy
    });
    await solution.waitForApp('stat-a', 'started', 'primary');
    await solution.waitForApp('stat-b', 'started', 'backup');
    const pid = (await solution.app('stat-a')).pid;
    proxy?.partition('both');
    await solution.waitForApp('stat-b', 'started', 'primary');
    const done = await solution.waitForEvent('switchover-completed', (e) => e.type === 'switchover-completed');
    expect(done).to.include({ reason: 'host-failure', primary: 'stat-b' });
    proxy?.heal();
    // Back in touch: stat-a is found still running as primary and is told to be backup.
    await solution.waitForApp('stat-a', 'started', 'backup');
    expect((await solution.app('stat-a')).pid).to.equal(pid);
    expect((await solution.app('stat-b')).role).to.equal('primary');
    expect(switchovers(await solution.events())).to.have.length(1);
  });
});
