// Finding the processes an earlier run of the LCA launched, by the launch token in their
// environment: against a fake /proc tree in a temp dir, and against this very process.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { findProcessesByToken, processStartTime } from '@mlayer/lca/internal';

/** A /proc/PID entry: its environment and a stat line with the given process group and start time. */
function fakeProcess(proc: string, pid: number, env: readonly string[] | null, pgrp: number, start: number): void {
  const dir = join(proc, String(pid));
  mkdirSync(dir);
  if (env !== null) writeFileSync(join(dir, 'environ'), `${env.join('\0')}\0`);
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime
  const fields = ['S', '1', String(pgrp), '1', '0', '-1', '0', '0', '0', '0', '0', '0', '0', '0', '0', '20', '0', '1', '0', String(start)];
  writeFileSync(join(dir, 'stat'), `${pid} (demo app) ${fields.join(' ')} 0 0\n`);
}

describe('findProcessesByToken', () => {
  let proc: string;
  beforeEach(() => {
    proc = mkdtempSync(join(tmpdir(), 'mlayer-proc-'));
  });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  it('finds one process per token: the process-group leader over its children, else the oldest', () => {
    fakeProcess(proc, 101, ['PATH=/bin', 'MLAYER_APP_TOKEN=aaa'], 100, 501); // a child started by the wrapper
    fakeProcess(proc, 100, ['MLAYER_APP_TOKEN=aaa', 'HOME=/root'], 100, 500); // the launched wrapper, its group's leader
    fakeProcess(proc, 205, ['MLAYER_APP_TOKEN=bbb'], 1, 900);
    fakeProcess(proc, 201, ['MLAYER_APP_TOKEN=bbb'], 1, 800);
    fakeProcess(proc, 300, ['MLAYER_APP_TOKEN=ccc'], 300, 100); // a token nobody asked for
    fakeProcess(proc, 400, null, 400, 100); // environ unreadable (another user's process)
    mkdirSync(join(proc, 'self'));
    const found = findProcessesByToken(new Set(['aaa', 'bbb', 'zzz']), proc);
    expect(Object.fromEntries([...found].map(([token, p]) => [token, { pid: p.pid, startTime: p.startTime }]))).to.deep.equal({
      aaa: { pid: 100, startTime: '500' },
      bbb: { pid: 201, startTime: '800' },
    });
  });

  it('finds nothing without tokens, and nothing where there is no /proc', () => {
    fakeProcess(proc, 100, ['MLAYER_APP_TOKEN=aaa'], 100, 500);
    expect(findProcessesByToken(new Set(), proc).size).to.equal(0);
    expect(findProcessesByToken(new Set(['aaa']), join(proc, 'missing')).size).to.equal(0);
  });

  it('finds a real process by the token in its environment', async function () {
    if (process.platform !== 'linux') this.skip();
    const token = randomBytes(24).toString('hex');
    const child = spawn('sleep', ['30'], { env: { ...process.env, MLAYER_APP_TOKEN: token }, detached: true, stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      const found = findProcessesByToken(new Set([token]));
      expect(found.get(token)).to.deep.include({ pid: child.pid, startTime: processStartTime(child.pid as number) });
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
});
