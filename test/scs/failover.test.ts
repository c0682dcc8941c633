// The SCS with real LCAs and real demo applications: the failover rules of seed 003, end to end.

import { expect } from 'chai';
import { startLca } from '../support/daemons.js';
import { ask, watch } from '../support/demo-client.js';
import { TestSolution } from '../support/solution.js';

const PAIR = [
  { name: 'stat-a', host: 'host-a', backup: 'stat-b' },
  { name: 'stat-b', host: 'host-b' },
] as const;

describe('SCS failover with real processes', function () {
  this.timeout(120_000);
  let solution: TestSolution;

  afterEach(async () => {
    await solution?.stopAll();
  });

  async function running(options: Partial<ConstructorParameters<typeof TestSolution>[0]> = {}): Promise<TestSolution> {
    solution = await new TestSolution({ hosts: ['host-a', 'host-b'], apps: PAIR, ...options }).start();
    await solution.waitForApp('stat-a', 'started', 'primary');
    await solution.waitForApp('stat-b', 'started', 'backup');
    return solution;
  }

  it('starts the pair: the configured primary is primary, the backup is backup', async () => {
    await running();
    expect(await ask(solution.port('stat-a'), 'ROLE')).to.equal('primary');
    expect(await ask(solution.port('stat-b'), 'ROLE')).to.equal('backup');
    const status = await solution.get<{ pairs: Array<{ name: string; active: string; state: string; protected: boolean }> }>('/api/v1/status');
    expect(status.pairs).to.deep.equal([{ ...status.pairs[0], name: 'stat-a', active: 'stat-a', state: 'active', protected: true }]);
  });

  it('kill -9 of the primary: the backup\'s WATCH shows primary, the old primary comes back as backup', async () => {
    await running();
    const watcher = await watch(solution.port('stat-b'));
    await watcher.waitForLine('role backup');
    const { pid } = await solution.app('stat-a');
    process.kill(pid as number, 'SIGKILL');
    await watcher.waitForLine('role primary');
    const done = await solution.waitForEvent('switchover-completed', (e) => e.type === 'switchover-completed');
    expect(done).to.include({ pair: 'stat-a', primary: 'stat-b', reason: 'process-failure' });
    expect(done.ms).to.be.a('number').and.at.least(0);
    await solution.waitForApp('stat-a', 'started', 'backup');
    expect(await ask(solution.port('stat-a'), 'ROLE')).to.equal('backup');
    const restart = await solution.waitForEvent('restart scheduled', (e) => e.type === 'app-restart-scheduled');
    expect(restart).to.include({ app: 'stat-a', attempt: 1 });
    watcher.close();
  });

  it('SERVICE unavailable on the primary switches over, demoting it to backup first', async () => {
    await running();
    expect(await ask(solution.port('stat-a'), 'SERVICE unavailable')).to.equal('OK');
    await solution.waitForApp('stat-b', 'started', 'primary');
    await solution.waitForApp('stat-a', 'service-unavailable', 'backup');
    // The view changes on the acknowledgement; the event is listed once it is durable.
    const done = await solution.waitForEvent('switchover-completed', (e) => e.type === 'switchover-completed');
    expect(done).to.include({ reason: 'service-unavailable', primary: 'stat-b' });
    const events = await solution.events();
    // Never two acknowledged primaries: stat-a's demotion is journaled before stat-b's promotion.
    const demoted = events.findIndex((e) => e.type === 'app-role' && e.app === 'stat-a' && e.to === 'backup');
    const promoted = events.findIndex((e) => e.type === 'app-role' && e.app === 'stat-b' && e.to === 'primary');
    expect(demoted).to.be.greaterThan(-1);
    expect(demoted).to.be.lessThan(promoted);
  });

  it('both unavailable: no switch; then the backup recovers first and takes over (backup-recovered)', async () => {
    await running();
    await ask(solution.port('stat-b'), 'SERVICE unavailable');
    await solution.waitForApp('stat-b', 'service-unavailable', 'backup');
    await ask(solution.port('stat-a'), 'SERVICE unavailable');
    await solution.waitForApp('stat-a', 'service-unavailable', 'primary');
    expect((await solution.events()).filter((e) => e.type === 'switchover-started')).to.deep.equal([]);
    await ask(solution.port('stat-b'), 'SERVICE available');
    await solution.waitForApp('stat-b', 'started', 'primary');
    const done = await solution.waitForEvent('switchover-completed', (e) => e.type === 'switchover-completed');
    expect(done).to.include({ reason: 'backup-recovered', primary: 'stat-b' });
  });

  it('kill -9 of the primary host\'s LCA switches over the whole host', async () => {
    await running();
    await solution.lcas.get('host-a')?.kill();
    await solution.waitForApp('stat-b', 'started', 'primary');
    const done = await solution.waitForEvent('switchover-completed', (e) => e.type === 'switchover-completed');
    expect(done).to.include({ reason: 'host-failure', primary: 'stat-b' });
    expect((await solution.app('stat-a')).status).to.equal('unknown');
  });

  it('with disconnectSwitchoverTimeout, an LCA that is back in time causes no switchover', async () => {
    await running({ disconnectSwitchoverTimeout: 20 });
    const lca = solution.lcas.get('host-a');
    await lca?.kill();
    const again = await startLca({ name: 'host-a', secret: solution.secret, stateDir: lca?.stateDir as string, port: lca?.port as number });
    solution.lcas.set('host-a', again);
    const disconnected = await solution.waitForEvent('host-disconnected', (e) => e.type === 'host-disconnected' && e.host === 'host-a');
    await solution.waitForEvent('host-connected again', (e) => e.type === 'host-connected' && e.host === 'host-a' && e.seq > disconnected.seq);
    const events = await solution.events();
    expect(events.filter((e) => e.type === 'switchover-started')).to.deep.equal([]);
    expect(await ask(solution.port('stat-a'), 'ROLE')).to.equal('primary');
  });

  it('manual switchover through the API, and a refusal when the target is not started', async () => {
    await running();
    const refused = await solution.post('/api/v1/applications/stat-a/switchover');
    expect(refused.status).to.equal(409);
    expect(refused.body).to.deep.include({ error: { code: 'already-primary', message: 'stat-a is already the primary' } });
    const accepted = await solution.post('/api/v1/applications/stat-b/switchover');
    expect(accepted).to.deep.equal({ status: 202, body: { accepted: true } });
    await solution.waitForApp('stat-b', 'started', 'primary');
    await solution.waitForApp('stat-a', 'started', 'backup');
  });
});
