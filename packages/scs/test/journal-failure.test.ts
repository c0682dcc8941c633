// The journal on a failing disk: appends reject with EJOURNAL, the events stay in memory (still
// published and readable), and once the disk recovers the next append writes them all, in order,
// with no gap and no duplicate. One error log per failure episode.

import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMemoryLogger } from '@mlayer/common';
import { Journal, JournalError, type JournalEvent } from '@mlayer/scs/internal';
import { FaultyFs } from './fixtures/journal/faulty-fs.js';

const hung = (i: number) => ({ type: 'app-hung', app: `app-${i}` }) as const;
const seqs = (events: readonly JournalEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function seqsOnDisk(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    expect(text.endsWith('\n'), name).to.equal(true);
    found.push(...text.slice(0, -1).split('\n').map((l) => (JSON.parse(l) as JournalEvent).seq));
  }
  return found;
}

async function rejection(promise: Promise<unknown>): Promise<JournalError> {
  const error: unknown = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(JournalError);
  return error as JournalError;
}

describe('journal on a failing disk', () => {
  let dir: string;
  let fs: FaultyFs;
  let memory: ReturnType<typeof createMemoryLogger>;
  let journal: Journal | undefined;
  const logs = (level: string) => memory.lines.filter((l) => l['level'] === level);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlayer-journal-'));
    fs = new FaultyFs();
    memory = createMemoryLogger('info');
    journal = undefined;
  });

  afterEach(async () => {
    fs.failWrites = fs.failSyncs = fs.failOpens = undefined;
    await journal?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ENOSPC on write: rejects, keeps the events, and writes them all once the disk has room', async () => {
    const j = (journal = await Journal.open(dir, { fs, logger: memory.logger }));
    await j.append([hung(1), hung(2), hung(3)]);
    const seen: number[] = [];
    j.subscribe((event) => seen.push(event.seq));

    fs.failWrites = { code: 'ENOSPC', partial: true }; // half a batch lands before the error
    const a = j.append(hung(4));
    const b = j.append([hung(5), hung(6)]);
    const errorA = await rejection(a);
    expect(await rejection(b)).to.equal(errorA); // one batch, one error
    expect(errorA.code).to.equal('EJOURNAL');
    expect((errorA.cause as NodeJS.ErrnoException).code).to.equal('ENOSPC');
    expect(errorA.message).to.match(/ENOSPC/).and.match(/held in memory/);
    await rejection(j.append(hung(7)));
    await rejection(j.append(hung(8)));

    expect(j.lastSeq).to.equal(8);
    expect(j.durableSeq).to.equal(3);
    expect(seen).to.deep.equal([4, 5, 6, 7, 8]); // subscribers still get them
    expect(seqs(await j.since(0))).to.deep.equal(range(1, 8));
    expect(logs('error')).to.have.length(1); // once per episode, not per event or per attempt
    expect(logs('error')[0]).to.include({ code: 'ENOSPC' });

    fs.failWrites = undefined;
    expect(seqs(await j.append(hung(9)))).to.deep.equal([9]);
    expect(j.durableSeq).to.equal(9);
    expect(seen).to.deep.equal(range(4, 9));
    expect(logs('info').filter((l) => String(l['message']).includes('recovered'))).to.have.length(1);
    expect(await seqsOnDisk(dir)).to.deep.equal(range(1, 9));

    await j.close();
    journal = await Journal.open(dir, { logger: memory.logger });
    expect(logs('warn')).to.deep.equal([]);
    expect(seqs(await journal.since(0))).to.deep.equal(range(1, 9));
    expect(seqs(await journal.append(hung(10)))).to.deep.equal([10]);
  });

  it('a second failure episode is logged again', async () => {
    const j = (journal = await Journal.open(dir, { fs, logger: memory.logger }));
    for (const code of ['ENOSPC', 'EIO']) {
      fs.failWrites = { code, partial: false };
      await rejection(j.append(hung(1)));
      await rejection(j.append(hung(2)));
      fs.failWrites = undefined;
      await j.append(hung(3));
    }
    expect(logs('error').map((l) => l['code'])).to.deep.equal(['ENOSPC', 'EIO']);
    expect(await seqsOnDisk(dir)).to.deep.equal(range(1, 6));
  });

  it('EIO on fsync: rejects, and flush() rewrites the held events once the device recovers', async () => {
    const j = (journal = await Journal.open(dir, { fs, logger: memory.logger }));
    await j.append(hung(1));
    fs.failSyncs = 'EIO';
    const error = await rejection(j.append([hung(2), hung(3)]));
    expect((error.cause as NodeJS.ErrnoException).code).to.equal('EIO');
    await rejection(j.flush());
    expect(j.durableSeq).to.equal(1);

    fs.failSyncs = undefined;
    await j.flush();
    expect(j.durableSeq).to.equal(3);
    expect(await seqsOnDisk(dir)).to.deep.equal([1, 2, 3]);
    expect(fs.opens).to.equal(3); // a failed fsync drops the file handle; each retry reopens
  });

  it('a segment that cannot be created (rotation on a full disk) is retried too', async () => {
    const j = (journal = await Journal.open(dir, { fs, maxSegmentBytes: 100, logger: memory.logger }));
    await j.append([hung(1), hung(2)]); // fills segment 1
    fs.failOpens = 'ENOSPC';
    await rejection(j.append(hung(3)));
    await rejection(j.append(hung(4)));
    expect(await readdir(dir)).to.deep.equal(['events-000001.jsonl']);
    fs.failOpens = undefined;
    await j.append(hung(5));
    expect(await readdir(dir)).to.deep.equal(['events-000001.jsonl', 'events-000002.jsonl']);
    expect(await seqsOnDisk(dir)).to.deep.equal(range(1, 5));
  });

  it('close() while the disk fails rejects; a reopen keeps the complete lines that reached the disk', async () => {
    const j = await Journal.open(dir, { fs, logger: memory.logger });
    await j.append([hung(1), hung(2)]);
    fs.failWrites = { code: 'ENOSPC', partial: true };
    await rejection(j.append([hung(3), hung(4), hung(5)]));
    await rejection(j.close());

    // Half of the failed batch landed: line 3 whole, line 4 cut. Held events that never reached
    // the disk (4, 5) die with the process; the torn line is cut on reopen.
    journal = await Journal.open(dir, { logger: memory.logger });
    expect(journal.lastSeq).to.equal(3);
    expect(logs('warn').map((l) => l['message'])).to.deep.equal(['journal: torn last line after a crash; truncating it']);
    expect(seqs(await journal.since(0))).to.deep.equal([1, 2, 3]);
  });
});
