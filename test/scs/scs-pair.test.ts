// A redundant pair of real SCSs, with partition proxies on the direct link and on the backup's
// link to the LCA of the primary SCS's host (CONTRACT.md section 7).

import { expect } from 'chai';
import { withLogs } from '../support/daemons.js';
import { ask } from '../support/demo-client.js';
import { type Event, TestScsPair } from '../support/scs-pair.js';
import { pollUntil } from '../support/wait.js';

const T = 1000; // the SCSs' ADDP timeout in these tests

const switchovers = (events: Event[]) => events.filter((e) => e.type.startsWith('switchover'));

describe('SCS pair with real processes', function () {
  this.timeout(120_000);
  let pair: TestScsPair;

  afterEach(async () => {
    await pair?.stopAll();
  });

  async function settled(options: ConstructorParameters<typeof TestScsPair>[0] = {}): Promise<{ pids: Record<string, number | null> }> {
    pair = new TestScsPair(options); // assigned first: afterEach stops what a failed start left
    await pair.start();
    await pair.waitForRole('scs-a', 'primary');
    await pair.waitForRole('scs-b', 'backup');
    const a = await pair.waitForApp('scs-a', 'stat-a', 'started', 'primary');
    const b = await pair.waitForApp('scs-a', 'stat-b', 'started', 'backup');
    // The backup follows: same applications and the same journal.
    await pair.waitForApp('scs-b', 'stat-a', 'started', 'primary');
    await pollUntil('the backup to replicate the journal', async () => {
      const [ea, eb] = await Promise.all([pair.events('scs-a'), pair.events('scs-b')]);
      return ea.length > 0 && JSON.stringify(ea) === JSON.stringify(eb);
    });
    return { pids: { 'stat-a': a.pid, 'stat-b': b.pid } };
  }

  it('both starting together end with exactly one primary (the configured one), and the backup mirrors it', async () => {
    await settled();
    const [a, b] = await Promise.all([pair.status('scs-a'), pair.status('scs-b')]);
    expect([a.scs.role, b.scs.role]).to.deep.equal(['primary', 'backup']);
    expect(a.scs.epoch).to.equal(b.scs.epoch);
    expect(b.scs.peer).to.include({ id: 'scs-a', connected: true, url: pair.scs['scs-a'].url });
    // Mutations on the backup are refused with the primary's URL.
    const refused = await fetch(`${pair.scs['scs-b'].url}/api/v1/applications/stat-b/switchover`, { method: 'POST' });
    expect(refused.status).to.equal(409);
    expect(await refused.json()).to.deep.include({ error: { code: 'not-primary', message: 'this SCS (scs-b) is the backup; send operations to the primary', primaryUrl: pair.scs['scs-a'].url } });
  });

  it('primary SCS kill -9: the backup promotes within the ADDP timeout, and no application switches over', async () => {
    const { pids } = await settled();
    const before = await pair.events('scs-b');
    const killedAt = performance.now();
    await pair.kill('scs-a');
    const promoted = await pair.waitForRole('scs-b', 'primary');
    expect(performance.now() - killedAt).to.be.at.most(T + 1000);
    expect(promoted.scs.epoch).to.be.greaterThan((before.filter((e) => e.type === 'scs-role').at(-1)?.epoch as number | undefined) ?? 0);
    const lastSeq = before.at(-1)?.seq ?? 0;
    // The role shows at once; its event once written.
    const since = async () => (await pair.events('scs-b')).filter((e) => e.seq > lastSeq);
    const [first] = await pollUntil('scs-b to journal its promotion', async () => {
      const events = await since();
      return events.length > 0 ? events : undefined;
    });
    expect(first).to.include({ type: 'scs-role', scs: 'scs-b', to: 'primary', seq: lastSeq + 1 }); // seq continues, no gap
    await pair.waitForApp('scs-b', 'stat-a', 'started', 'primary');
    expect(switchovers(await since())).to.deep.equal([]);
    const status = await pair.status('scs-b');
    expect(status.applications.map((a) => [a.name, a.pid])).to.deep.equal([['stat-a', pids['stat-a']], ['stat-b', pids['stat-b']]]);
    expect(await ask(pair.ports.get('stat-a') as number, 'ROLE')).to.equal('primary');
  });

  /** Waits, after the backup has seen `what`, long enough for any takeover to have happened. */
  async function staysBackup(what: string, lost: () => Promise<boolean>): Promise<void> {
    await pollUntil(what, async () => (await lost()) || undefined);
    const until = performance.now() + 3 * T;
    while (performance.now() < until) {
      expect((await pair.status('scs-b')).scs.role).to.equal('backup');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('only the direct SCS link partitioned: no promotion (the LCA of host-a still shows scs-a)', async () => {
    await settled();
    pair.proxies.toA?.partition('both');
    pair.proxies.toB?.partition('both');
    await staysBackup('scs-b to lose sight of scs-a', async () => (await pair.status('scs-b')).scs.peer?.connected === false);
    expect((await pair.status('scs-a')).scs.role).to.equal('primary');
  });

  it('only the backup\'s link to the LCA of host-a partitioned: no promotion (the direct link is up)', async () => {
    await settled();
    pair.proxies.lcaA?.partition('both');
    await staysBackup('scs-b to lose the LCA of host-a', async () => (await pair.status('scs-b')).hosts.find((h) => h.name === 'host-a')?.connected === false);
  });

  it('both partitioned while the primary lives: the backup promotes with a higher epoch, LCAs fence the old one; after healing exactly one primary, split-brain recorded, applications undisturbed', async () => {
    const { pids } = await settled({ disconnectSwitchoverTimeout: 60 });
    const epoch = (await pair.status('scs-a')).scs.epoch;
    pair.proxies.toA?.partition('both');
    pair.proxies.toB?.partition('both');
    pair.proxies.lcaA?.partition('both');
    const promoted = await pair.waitForRole('scs-b', 'primary');
    expect(promoted.scs.epoch).to.equal(epoch + 1);
    // The LCA of host-b now follows the new epoch: the old primary is refused, and demotes itself.
    await pair.waitForRole('scs-a', 'backup'); // a failed wait shows what each daemon logged
    const refusedOrYielded = pair.lca('host-b').logs.some((l) => l.message === 'following a new SCS epoch' && l.to === epoch + 1);
    expect(refusedOrYielded).to.equal(true);
    pair.proxies.toA?.heal();
    pair.proxies.toB?.heal();
    pair.proxies.lcaA?.heal();
    await pollUntil('the pair to reunite', async () => (await pair.status('scs-b')).scs.peer?.connected === true || undefined);
    const [a, b] = await Promise.all([pair.status('scs-a'), pair.status('scs-b')]);
    expect([a.scs.role, b.scs.role]).to.deep.equal(['backup', 'primary']);
    await pair.waitForApp('scs-b', 'stat-a', 'started', 'primary');
    const status = await pair.status('scs-b');
    expect(status.applications.map((x) => [x.name, x.pid, x.role])).to.deep.equal([['stat-a', pids['stat-a'], 'primary'], ['stat-b', pids['stat-b'], 'backup']]);
    const split = await pollUntil('split-brain recorded', async () => (await pair.events('scs-b')).find((e) => e.type === 'split-brain'));
    expect(split).to.deep.include({ scs: 'scs-b', peer: 'scs-a', epochs: { 'scs-b': epoch + 1, 'scs-a': epoch } });
    const events = await pair.events('scs-b');
    expect(switchovers(events)).to.deep.equal([]);
    expect(events.filter((e) => e.type === 'scs-role' && e.scs === 'scs-b' && e.to === 'primary')).to.have.length(1);
    // The old primary's journal follows the new primary again.
    await pollUntil('scs-a to replicate scs-b', async () => JSON.stringify(await pair.events('scs-a')) === JSON.stringify(await pair.events('scs-b')) || undefined, { timeoutMs: 30_000 }).catch((e: unknown) => {
      throw withLogs(e, pair.logSources());
    });
  });

  it('a primary application failing during an SCS takeover is switched over exactly once', async () => {
    const { pids } = await settled();
    await Promise.all([pair.kill('scs-a'), Promise.resolve(process.kill(pids['stat-a'] as number, 'SIGKILL'))]);
    await pair.waitForRole('scs-b', 'primary');
    await pair.waitForApp('scs-b', 'stat-b', 'started', 'primary');
    await pair.waitForApp('scs-b', 'stat-a', 'started', 'backup');
    const completed = (await pair.events('scs-b')).filter((e) => e.type === 'switchover-completed');
    expect(completed).to.have.length(1);
    expect(completed[0]).to.include({ pair: 'stat-a', primary: 'stat-b' });
  });

  it('both SCSs restarted together: exactly one primary again, applications untouched', async () => {
    const { pids } = await settled();
    await Promise.all([pair.kill('scs-a'), pair.kill('scs-b')]);
    await Promise.all([pair.startScs('scs-a'), pair.startScs('scs-b')]);
    const primary = await pollUntil('one primary', async () => {
      const [a, b] = await Promise.all([pair.status('scs-a'), pair.status('scs-b')]);
      const roles = [a.scs.role, b.scs.role].sort();
      return roles[0] === 'backup' && roles[1] === 'primary' ? (a.scs.role === 'primary' ? 'scs-a' : 'scs-b') : undefined;
    });
    expect(primary).to.equal('scs-a');
    await pair.waitForApp('scs-a', 'stat-a', 'started', 'primary');
    const status = await pair.status('scs-a');
    expect(status.applications.map((x) => x.pid)).to.deep.equal([pids['stat-a'], pids['stat-b']]);
  });
});
