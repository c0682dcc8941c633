// `mlayer lca` as a user types it: usage errors exit 2 with a message that says what to fix.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const MLAYER = fileURLToPath(new URL('../bin/mlayer.js', import.meta.url));

function mlayer(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [MLAYER, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mlayer lca (command line)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlayer-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its usage with --help and exits 0', () => {
    const result = mlayer('lca', '--help');
    expect(result.status).to.equal(0);
    expect(result.stdout).to.contain('--secret-file <file>');
    expect(result.stdout).to.contain('--state-dir <dir>');
  });

  it('exits 2 on a malformed --listen address', () => {
    const result = mlayer('lca', '--listen', 'nonsense', '--state-dir', dir);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain('--listen must be HOST:PORT');
  });

  it('exits 2 when the secret file is missing or too short', () => {
    const missing = mlayer('lca', '--secret-file', join(dir, 'nope'), '--state-dir', dir);
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.contain('cannot read secret file');
    writeFileSync(join(dir, 'short'), 'abc\n');
    const short = mlayer('lca', '--secret-file', join(dir, 'short'), '--state-dir', dir);
    expect(short.status).to.equal(2);
    expect(short.stderr).to.contain('at least 16 characters');
  });

  it('exits 2 on an unknown log level and on an unknown command', () => {
    expect(mlayer('lca', '--log-level', 'loud', '--state-dir', dir).status).to.equal(2);
    expect(mlayer('frobnicate').status).to.equal(2);
  });
});
