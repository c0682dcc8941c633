// `mlayer validate CONFIG` as a user runs it: "ok" and exit 0 for a good file; every problem as
// FILE:LINE: message, one summary line and exit 2 for a bad one.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const MLAYER = fileURLToPath(new URL('../bin/mlayer.js', import.meta.url));
const CONTRACT_EXAMPLE = fileURLToPath(new URL('../../common/test/fixtures/config/contract.yaml', import.meta.url));

function mlayer(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [MLAYER, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mlayer validate (command line)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlayer-validate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("prints ok and exits 0 for the contract's example file", () => {
    const result = mlayer('validate', CONTRACT_EXAMPLE);
    expect(result.stderr).to.equal('');
    expect(result.stdout).to.equal('ok\n');
    expect(result.status).to.equal(0);
  });

  it('prints every problem as FILE:LINE: message in line order, then one summary line, and exits 2', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'scs:',
        '  http: nonsense',
        'hosts:',
        '  - { name: host-a, lca: "127.0.0.1:4999" }',
        'applications:',
        '  - name: stat-a',
        '    host: host-a',
        '    command: app',
        '    redundancy: hot-standby',
        '    backup: stat-c',
        '    startTimeout: -1',
        '',
      ].join('\n'),
    );
    const result = mlayer('validate', file);
    expect(result.status).to.equal(2);
    expect(result.stdout).to.equal('');
    expect(result.stderr.split('\n')).to.deep.equal([
      `${file}:2: scs.http: must be HOST:PORT (e.g. 127.0.0.1:4999); got "nonsense"`,
      `${file}:10: applications[0].backup: "stat-c" is not an application in this file (applications: stat-a)`,
      `${file}:11: applications[0].startTimeout: must not be negative; got -1`,
      `mlayer: ${file} is not a valid configuration (3 problems)`,
      '',
    ]);
  });

  it('reports a YAML syntax error with its line and exits 2', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'scs: {}\nhosts: [\n');
    const result = mlayer('validate', file);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(new RegExp(`^${file}:\\d+: YAML syntax error: `));
    expect(result.stderr.trimEnd().split('\n')).to.have.length(2);
  });

  it('exits 2 with a message when the file cannot be read or is not given', () => {
    const missing = mlayer('validate', join(dir, 'nope.yaml'));
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.contain(`${join(dir, 'nope.yaml')}: cannot read the configuration file`);
    expect(mlayer('validate').status).to.equal(2);
  });
});
