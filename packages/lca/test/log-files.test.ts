// Size-based rotation of application output files (copytruncate), on real files in a temp dir.

import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMemoryLogger } from '@mlayer/common';
import { LogFiles } from '@mlayer/lca/internal';

describe('application log files (LogFiles)', () => {
  let dir: string;
  let files: LogFiles;
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlayer-logs-'));
    files = new LogFiles(dir, { maxBytes: 100, keep: 2 }, createMemoryLogger().logger);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names each application\'s file LOG_DIR/<app>.log', () => {
    expect(files.pathOf('app-a')).to.equal(join(dir, 'app-a.log'));
  });

  it('leaves a file at or under the limit alone, and a missing one too', async () => {
    writeFileSync(files.pathOf('app-a'), 'x'.repeat(100));
    expect(await files.rotateIfNeeded('app-a')).to.equal(false);
    expect(read('app-a.log')).to.equal('x'.repeat(100));
    expect(existsSync(join(dir, 'app-a.log.1'))).to.equal(false);
    expect(await files.rotateIfNeeded('never-started')).to.equal(false);
  });

  it('copies a file past the limit to .1 and truncates it in place', async () => {
    writeFileSync(files.pathOf('app-a'), 'a'.repeat(101));
    expect(await files.rotateIfNeeded('app-a')).to.equal(true);
    expect(read('app-a.log')).to.equal('');
    expect(read('app-a.log.1')).to.equal('a'.repeat(101));
  });

  it('keeps N rotated files, shifting .1 to .2 and dropping the oldest', async () => {
    for (const fill of ['a', 'b', 'c']) {
      writeFileSync(files.pathOf('app-a'), fill.repeat(150));
      expect(await files.rotateIfNeeded('app-a')).to.equal(true);
    }
    expect(read('app-a.log.1')).to.equal('c'.repeat(150));
    expect(read('app-a.log.2')).to.equal('b'.repeat(150));
    expect(existsSync(join(dir, 'app-a.log.3'))).to.equal(false); // keep: 2, so 'a' is gone
  });

  it('a writer holding the file open with O_APPEND goes on writing at the start of the truncated file', async () => {
    const fd = openSync(files.pathOf('app-a'), 'a'); // as the LCA hands it to the application
    try {
      writeSync(fd, `${'before\n'.repeat(20)}`);
      expect(await files.rotateIfNeeded('app-a')).to.equal(true);
      writeSync(fd, 'after\n');
      // No hole of zeros up to the old offset: the next write lands at the new end.
      expect(read('app-a.log')).to.equal('after\n');
      expect(read('app-a.log.1')).to.equal('before\n'.repeat(20));
    } finally {
      closeSync(fd);
    }
  });

  it('logs a rotation that fails, throws nothing and truncates nothing', async () => {
    const { logger, lines } = createMemoryLogger();
    const broken = new LogFiles(dir, { maxBytes: 10, keep: 1 }, logger);
    writeFileSync(broken.pathOf('app-a'), 'y'.repeat(20));
    mkdirSync(join(dir, 'app-a.log.1')); // the copy cannot be written
    expect(await broken.rotateIfNeeded('app-a')).to.equal(false);
    expect(read('app-a.log')).to.equal('y'.repeat(20));
    expect(lines.find((l) => l.message === 'cannot rotate application log')).to.include({ level: 'warn', app: 'app-a' });
  });
});
