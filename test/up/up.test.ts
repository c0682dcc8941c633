// `mlayer up examples/local.yaml` end to end, as a user runs it: the real binary, real LCAs, a real
// SCS and the demo applications, in a copy of examples/ on free ports.

import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { MLAYER, tempDir } from '../support/daemons.js';
import { pollUntil } from '../support/wait.js';
import { UpRun, alive, copyExamples, markedPids } from './up-run.js';

describe('mlayer up', function () {
  this.timeout(180_000);
  const runs: UpRun[] = [];
  const start = async (dir?: string) => {
    const run = new UpRun(dir ?? (await copyExamples())).start();
    runs.push(run);
    await run.waitForLine(/Ctrl-C stops/);
    return run;
  };

  afterEach(async () => {
    for (const run of runs.splice(0)) await run.cleanup();
  });

  /** SIGINT, exit 0, and not one process of the run left: daemons, applications, nothing. */
  async function interruptAndCheck(run: UpRun, pids: readonly number[]): Promise<void> {
    expect(await run.signal('SIGINT')).to.equal(0);
    expect(run.stdout.some((l) => l.startsWith('stopped:'))).to.equal(true, run.stdout.join('\n'));
    expect(pids.filter(alive), 'pids still alive').to.deep.equal([]);
    expect(markedPids(run.marker), 'processes of the run still alive').to.deep.equal([]);
    expect(existsSync(join(run.dir, 'var', 'up.json')), 'run file left behind').to.equal(false);
  }

  it('runs the example: configured primaries primary, backups backup, all started; mlayer status shows it; SIGINT stops everything', async () => {
    const run = await start();
    const secret = join(run.dir, 'secrets', 'lca');
    expect(statSync(secret).mode & 0o777).to.equal(0o600);
    expect(run.stdout.join('\n')).to.include(`${run.url}/api/v1/status`).and.include(`${run.url}/metrics`).and.include('generated the LCA secret');

    const status = await run.settled({ roles: true });
    expect(status.applications.map((a) => [a.name, a.status, a.role])).to.deep.equal(
      run.config.applications.map((a) => [a.name, 'started', a.configuredRole]),
    );
    expect(run.config.applications.map((a) => a.configuredRole)).to.include.members(['primary', 'backup']);

    const shown = run.mlayer('status', '--url', run.url);
    expect(shown.status).to.equal(0, shown.stderr);
    for (const app of status.applications) {
      expect(shown.stdout).to.match(new RegExp(`^${app.name}\\s+${app.host}\\s+started\\s+${app.role}\\s+${app.pid}\\s`, 'm'));
    }

    // The non-TTY output is one line per change, and it got to the settled state.
    for (const app of status.applications) {
      await run.waitForLine(new RegExp(` app ${app.name} status=started role=${app.role} pid=${app.pid}$`), 5000);
    }

    const second = run.mlayer('up', 'local.yaml');
    expect(second.status).to.equal(1);
    expect(second.stderr).to.match(/already running this solution/);
    expect((await run.status()).applications.map((a) => a.pid), 'the refused run touched nothing').to.deep.equal(status.applications.map((a) => a.pid));
    expect(status.applications.every((a) => alive(a.pid as number))).to.equal(true);

    const daemons = run.runFile().daemons.map((d) => d.pid);
    expect(daemons).to.have.length(3);
    await interruptAndCheck(run, [...daemons, ...status.applications.map((a) => a.pid as number)]);
  });

  it('reports a crashed LCA and SCS, restarts them (the applications keep running), and still stops everything', async () => {
    const run = await start();
    const before = await run.settled({ roles: true });
    const daemon = (name: string) => run.runFile().daemons.find((d) => d.name === name)?.pid as number;
    const lca = daemon('LCA host-a');
    process.kill(lca, 'SIGKILL');
    await run.waitForLine(new RegExp(`LCA host-a \\(pid ${lca}\\) exited unexpectedly on SIGKILL`));
    await run.waitForLine(/LCA host-a is back/);
    const scs = daemon('SCS scs-a');
    process.kill(scs, 'SIGKILL');
    await run.waitForLine(new RegExp(`SCS scs-a \\(pid ${scs}\\) exited unexpectedly on SIGKILL`));
    await run.waitForLine(/SCS scs-a is back/);

    const after = await run.settled({ roles: false });
    const pidsOf = (s: typeof before) => s.applications.filter((a) => a.host === 'host-a').map((a) => a.pid);
    expect(pidsOf(after), 'host-a applications re-adopted, not restarted').to.deep.equal(pidsOf(before));
    const pids = [lca, scs, ...run.runFile().daemons.map((d) => d.pid), ...after.applications.map((a) => a.pid as number)];
    await interruptAndCheck(run, pids);
  });

  it('after a kill -9 of mlayer up, the next run stops the daemons it left and re-adopts its applications', async () => {
    const first = await start();
    const before = await first.settled({ roles: true });
    const leftDaemons = first.runFile().daemons.map((d) => d.pid);
    first.child?.kill('SIGKILL');
    await pollUntil('mlayer up to die', async () => first.child?.signalCode === 'SIGKILL');

    const second = await start(first.dir);
    expect(second.stdout.join('\n')).to.match(/an earlier mlayer up \(pid \d+\) ended without stopping LCA host-a/);
    const after = await second.settled({ roles: false });
    expect(after.applications.map((a) => a.pid)).to.deep.equal(before.applications.map((a) => a.pid));
    expect(leftDaemons.filter(alive), 'daemons of the first run').to.deep.equal([]);
    await interruptAndCheck(second, after.applications.map((a) => a.pid as number));
    expect(markedPids(first.marker), 'applications of the first run').to.deep.equal([]);
  });

  it('exits 2 with every problem as FILE:LINE for a bad configuration, and starts nothing', () => {
    const dir = tempDir('mlayer-up-bad-');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, ['scs:', '  http: nowhere', 'hosts:', '  - name: Host_A', '    lca: 127.0.0.1:4999', 'applications: []', ''].join('\n'));
    const result = spawnSync(process.execPath, [MLAYER, 'up', 'bad.yaml'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).to.equal(2, result.stderr);
    const problems = result.stderr.split('\n').filter((l) => l.startsWith('bad.yaml:'));
    expect(problems.map((l) => l.match(/^bad\.yaml:(\d+): /)?.[1])).to.deep.equal(['2', '4']);
    expect(result.stderr).to.match(/^mlayer: bad\.yaml is not a valid configuration \(2 problems\)$/m);
    expect(existsSync(join(dir, 'var'))).to.equal(false);
  });

  it('without CONFIG and without ./mlayer.yaml, says what to run (exit 2)', () => {
    const result = spawnSync(process.execPath, [MLAYER, 'up'], { cwd: tempDir('mlayer-up-none-'), encoding: 'utf8', timeout: 30_000 });
    expect(result.status).to.equal(2);
    expect(result.stderr).to.include('./mlayer.yaml does not exist').and.include('mlayer up examples/local.yaml');
  });
});
