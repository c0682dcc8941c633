// The SCS under operation: the Config Server guard, an SCS crash in the middle of churn, bad
// configurations, authentication of mutations and configuration reloads.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { MLAYER, freePort } from '../support/daemons.js';
import { ask } from '../support/demo-client.js';
import { connectAsScs } from '../support/scs-client.js';
import { TestSolution } from '../support/solution.js';
import { pollUntil } from '../support/wait.js';

describe('SCS operations with real processes', function () {
  this.timeout(120_000);
  let solution: TestSolution;

  afterEach(async () => {
    await solution?.stopAll();
  });

  it('Config Server guard: blocks while the backup still sees its primary, proceeds after FACT peer down', async () => {
    solution = await new TestSolution({
      hosts: ['host-a', 'host-b'],
      apps: [
        { name: 'cs-a', host: 'host-a', backup: 'cs-b', kind: 'config-server' },
        { name: 'cs-b', host: 'host-b', kind: 'config-server' },
      ],
    }).start();
    await solution.waitForApp('cs-a', 'started', 'primary');
    await solution.waitForApp('cs-b', 'started', 'backup');
    await solution.lcas.get('host-a')?.kill(); // the primary's host is lost; cs-b reports peer=up
    const blocked = await solution.waitForEvent('switchover-blocked', (e) => e.type === 'switchover-blocked');
    expect(blocked).to.include({ pair: 'cs-a', candidate: 'cs-b', guard: 'config-server' });
    expect(String(blocked.message)).to.contain('peer=up');
    expect((await solution.app('cs-b')).role).to.equal('backup');
    const metrics = await (await fetch(`${solution.url}/metrics`)).text();
    expect(metrics).to.match(/mlayer_switchover_blocked_total\{pair="cs-a",guard="config-server"\} 1/);

    expect(await ask(solution.port('cs-b'), 'FACT peer down')).to.equal('OK');
    await solution.waitForApp('cs-b', 'started', 'primary');
    const done = await solution.waitForEvent('switchover-completed', (e) => e.type === 'switchover-completed');
    expect(done).to.include({ pair: 'cs-a', primary: 'cs-b', reason: 'host-failure' });
  });

  it('an SCS killed during churn and restarted keeps the primary, and seq continues without reuse', async () => {
    solution = await new TestSolution({
      hosts: ['host-a', 'host-b'],
      apps: [{ name: 'stat-a', host: 'host-a', backup: 'stat-b' }, { name: 'stat-b', host: 'host-b' }],
    }).start();
    await solution.waitForApp('stat-a', 'started', 'primary');
    await solution.waitForApp('stat-b', 'started', 'backup');
    // A switchover, so the acting primary is the configured backup: a naive restart would undo it.
    await solution.post('/api/v1/applications/stat-b/switchover');
    await solution.waitForApp('stat-b', 'started', 'primary');
    await solution.waitForApp('stat-a', 'started', 'backup');
    const pids = { a: (await solution.app('stat-a')).pid, b: (await solution.app('stat-b')).pid };
    // Churn on the backup while the SCS dies.
    await ask(solution.port('stat-a'), 'SERVICE unavailable');
    await ask(solution.port('stat-a'), 'SERVICE available');
    const before = await solution.events();
    const lastSeq = Math.max(...before.map((e) => e.seq));
    await solution.scs?.kill();

    await solution.startScs();
    await solution.waitForApp('stat-b', 'started', 'primary');
    await solution.waitForApp('stat-a', 'started', 'backup');
    const after = (await solution.events()).filter((e) => e.seq > lastSeq);
    expect(after.length).to.be.greaterThan(0);
    const all = await solution.events();
    const seqs = all.map((e) => e.seq);
    expect(new Set(seqs).size).to.equal(seqs.length); // no seq reused
    expect(seqs).to.deep.equal([...seqs].sort((x, y) => x - y));
    expect(after.filter((e) => e.type.startsWith('switchover') || (e.type === 'app-role' && e.to === 'primary' && e.app === 'stat-a'))).to.deep.equal([]);
    expect((await solution.app('stat-a')).pid).to.equal(pids.a); // nothing restarted
    expect((await solution.app('stat-b')).pid).to.equal(pids.b);
    expect(await ask(solution.port('stat-b'), 'ROLE')).to.equal('primary');
  });

  it('a single SCS on LCAs that followed an SCS pair takes up their epoch (durably) instead of being refused', async () => {
    solution = await new TestSolution({ hosts: ['host-a'], apps: [{ name: 'solo', host: 'host-a' }] }).start(async (s) => {
      // The LCA served an SCS pair before: it follows epoch 5.
      const lca = s.lcas.get('host-a');
      const old = await connectAsScs(lca?.port as number, s.secret, { name: 'scs-b' });
      await old.request({ type: 'claim', epoch: 5 });
      old.close();
    });
    await solution.waitForApp('solo', 'started', 'primary');
    const adopted = solution.scs?.logs.find((l) => l.message === 'a single SCS takes up the epoch its LCAs follow');
    expect(adopted).to.include({ from: 0, to: 5, host: 'host-a' });
    expect((await solution.get<{ scs: { epoch: number } }>('/api/v1/status')).scs.epoch).to.equal(5);
    // Durable: a restarted SCS starts under it.
    await solution.scs?.stop();
    await solution.startScs();
    expect((await solution.get<{ scs: { epoch: number } }>('/api/v1/status')).scs.epoch).to.equal(5);
    expect(await ask(solution.port('solo'), 'ROLE')).to.equal('primary');
  });

  it('a single SCS does not take up the epoch of another SCS still connected to its LCAs: it says so, stays refused, and takes it up once that SCS has gone', async () => {
    let other: Awaited<ReturnType<typeof connectAsScs>> | undefined;
    try {
      solution = await new TestSolution({ hosts: ['host-a'], apps: [{ name: 'solo', host: 'host-a' }] }).start(async (s) => {
        other = await connectAsScs(s.lcas.get('host-a')?.port as number, s.secret, { name: 'scs-b' });
        await other.request({ type: 'claim', epoch: 5 });
      });
      const refused = await pollUntil('the SCS to refuse the epoch', async () => solution.scs?.logs.find((l) => l.message === 'an LCA follows the epoch of another SCS that is connected to it: this single SCS will not command it'));
      expect(refused).to.deep.include({ host: 'host-a', lcaEpoch: 5, epoch: 0, others: ['scs-b'] });
      expect((await solution.get<{ scs: { epoch: number } }>('/api/v1/status')).scs.epoch).to.equal(0);
      expect(solution.scs?.logs.some((l) => l.message === 'a single SCS takes up the epoch its LCAs follow')).to.equal(false);
      // The other SCS goes away: the single one takes up the epoch and serves.
      other?.close();
      await solution.waitForApp('solo', 'started', 'primary');
      expect((await solution.get<{ scs: { epoch: number } }>('/api/v1/status')).scs.epoch).to.equal(5);
    } finally {
      other?.close();
    }
  });

  it('refuses mutations without the bearer token (401) and accepts them with it', async () => {
    solution = await new TestSolution({ hosts: ['host-a'], apps: [{ name: 'solo', host: 'host-a' }], token: 'api-token-for-the-test' }).start();
    await solution.waitForApp('solo', 'started', 'primary'); // an application without backup serves as primary
    const anonymous = await solution.post('/api/v1/applications/solo/restart', '');
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body).to.have.nested.property('error.code', 'unauthorized');
    const wrong = await solution.post('/api/v1/applications/solo/restart', 'not-the-token');
    expect(wrong.status).to.equal(401);
    const { pid } = await solution.app('solo');
    const accepted = await solution.post('/api/v1/applications/solo/restart');
    expect(accepted.status).to.equal(202);
    await solution.waitForEvent('restarted', (e) => e.type === 'app-status' && e.app === 'solo' && e.to === 'stopped');
    const restarted = await solution.waitForApp('solo', 'started', 'primary');
    expect(restarted.pid).to.not.equal(pid);
    expect((await solution.get<{ status: string }>('/api/v1/applications/solo')).status).to.equal('started');
  });

  it('SIGHUP applies a valid change without touching running applications, and rejects an invalid file', async () => {
    solution = await new TestSolution({ hosts: ['host-a'], apps: [{ name: 'solo', host: 'host-a' }] }).start();
    const { pid } = await solution.waitForApp('solo', 'started', 'primary');
    const original = readFileSync(solution.configFile, 'utf8');
    const extraPort = await freePort();
    const demo = (/command: (.*)/.exec(original) as RegExpExecArray)[1];
    writeFileSync(solution.configFile, `${original}  - name: extra\n    host: host-a\n    command: ${demo}\n    args: ["--port", "${extraPort}"]\n`);
    solution.scs?.process.kill('SIGHUP');
    const reloaded = await solution.waitForEvent('config-reloaded', (e) => e.type === 'config-reloaded');
    expect(reloaded.changes).to.deep.equal(['application extra added']);
    await solution.waitForApp('extra', 'started', 'primary');
    expect((await solution.app('solo')).pid).to.equal(pid);

    writeFileSync(solution.configFile, `${original}  - name: Bad_Name\n    host: nowhere\n`);
    solution.scs?.process.kill('SIGHUP');
    const rejected = await solution.waitForEvent('config-rejected', (e) => e.type === 'config-rejected');
    const errors = rejected.errors as string[];
    expect(errors.length).to.be.at.least(2);
    for (const line of errors) expect(line).to.match(/solution\.yaml:\d+: /);
    expect((await solution.app('extra')).status).to.equal('started'); // the old configuration stays
    expect((await solution.app('solo')).pid).to.equal(pid);
  });

  it('refuses to start on a bad configuration: exit 2 and every problem as FILE:LINE: message', async () => {
    solution = new TestSolution({ hosts: [], apps: [] });
    const file = join(solution.dir, 'bad.yaml');
    writeFileSync(file, 'scs:\n  id: scs-a\n  http: nowhere\nhosts:\n  - name: h1\n    lca: 127.0.0.1:4999\napplications:\n  - name: a1\n    host: h2\n    command: x\n    backup: a9\n    redundancy: warm-standby\n');
    const result = spawnSync(process.execPath, [MLAYER, 'scs', '--config', file], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).to.equal(2);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith(file));
    expect(lines.length).to.be.at.least(3);
    expect(lines.some((l) => l.startsWith(`${file}:3: `))).to.equal(true); // http
    expect(lines.some((l) => l.startsWith(`${file}:9: `))).to.equal(true); // host h2
    expect(lines.some((l) => l.startsWith(`${file}:11: `))).to.equal(true); // backup a9
  });
});
