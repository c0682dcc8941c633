// The journal feed's split-brain reset: the diverged journal is set aside through the journal's
// own file-system layer, like every other journal write.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { silentLogger } from '@mlayer/common';
import { JournalFeed, type JournalFs, nodeJournalFs } from '@mlayer/scs/internal';

describe('journal feed', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlayer-feed-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Found by the SCS-pair chaos harness (seed 3): reset() renamed with node:fs directly, so with
  // an injected file system (the harness keeps journals in memory) it failed on every retry and
  // the demoted SCS never followed the primary's journal again.
  it('sets a diverged journal aside through the injected file system and opens a fresh one', async () => {
    const renames: Array<[string, string]> = [];
    const fs: JournalFs = { ...nodeJournalFs, rename: async (from, to) => {
      renames.push([from, to]);
      await nodeJournalFs.rename(from, to);
    } };
    const feed = new JournalFeed(join(dir, 'journal'), silentLogger, { fs });
    await feed.open();
    feed.append({ type: 'scs-role', scs: 'scs-a', from: 'backup', to: 'primary', epoch: 1 });
    await feed.current.flush();
    expect(feed.lastSeq).to.equal(1);
    await feed.reset();
    expect(renames).to.have.length(1);
    expect(renames[0]?.[0]).to.equal(join(dir, 'journal'));
    expect(feed.lastSeq).to.equal(0);
    expect(readdirSync(dir).sort()).to.deep.equal(['journal', renames[0]?.[1].slice(dir.length + 1)]);
    await feed.close();
  });
});
