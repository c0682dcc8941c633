// Segment rotation and retention: a full segment is followed by a new file on the next append,
// segments beyond keepSegments are deleted (oldest first), and since() reads what remains.

import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Journal, type JournalEvent } from '@mlayer/scs/internal';
import { FaultyFs } from './fixtures/journal/faulty-fs.js';

const seqs = (events: readonly JournalEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const time = () => new Date(Date.UTC(2025, 0, 2));
// Every event line is 79 bytes for app names of two digits: {"seq":NN,...,"app":"aNN"}\n
const event = (i: number) => ({ type: 'app-hung', app: `a${String(i).padStart(2, '0')}` }) as const;

async function seqsInFile(file: string): Promise<number[]> {
  const text = await readFile(file, 'utf8');
  return text.trimEnd().split('\n').map((l) => (JSON.parse(l) as JournalEvent).seq);
}

describe('journal rotation', () => {
  let dir: string;
  let journal: Journal | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlayer-journal-'));
    journal = undefined;
  });

  afterEach(async () => {
    await journal?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts a new segment on the append after one reaches maxSegmentBytes', async () => {
    journal = await Journal.open(dir, { maxSegmentBytes: 200, now: time });
    await journal.append([event(10), event(11)]); // 158 bytes
    expect(await readdir(dir)).to.deep.equal(['events-000001.jsonl']);
    await journal.append(event(12)); // 237 bytes: full, but no new file until there is more to write
    expect(await readdir(dir)).to.deep.equal(['events-000001.jsonl']);
    await journal.append(event(13));
    expect(await readdir(dir)).to.deep.equal(['events-000001.jsonl', 'events-000002.jsonl']);
    expect(await seqsInFile(join(dir, 'events-000001.jsonl'))).to.deep.equal([1, 2, 3]);
    expect(await seqsInFile(join(dir, 'events-000002.jsonl'))).to.deep.equal([4]);
  });

  it('keeps keepSegments segments, deletes older ones, fsyncs the directory, and since() reads the rest from disk', async () => {
    const fs = new FaultyFs();
    // 3 lines (237 bytes) fill a segment of 200 bytes.
    journal = await Journal.open(dir, { fs, maxSegmentBytes: 200, keepSegments: 3, memoryEvents: 2, now: time });
    for (let i = 10; i < 40; i++) await journal.append(event(i)); // seqs 1..30, 10 segments

    expect(await readdir(dir)).to.deep.equal(['events-000008.jsonl', 'events-000009.jsonl', 'events-000010.jsonl']);
    expect(await seqsInFile(join(dir, 'events-000008.jsonl'))).to.deep.equal([22, 23, 24]);
    expect(await seqsInFile(join(dir, 'events-000010.jsonl'))).to.deep.equal([28, 29, 30]);
    // One fsync of the directory per segment created (10) and per deletion round (7).
    expect(fs.dirSyncs).to.equal(17);
    expect(fs.syncs).to.equal(30);

    // Events 1..21 are gone with their segments: the answer starts at the oldest one kept.
    expect(seqs(await journal.since(0, 100))).to.deep.equal(range(22, 30));
    expect(seqs(await journal.since(23, 4))).to.deep.equal([24, 25, 26, 27]); // across two segments
    expect(seqs(await journal.since(26, 100))).to.deep.equal(range(27, 30));
    const [e25] = await journal.since(24, 1);
    expect(e25).to.deep.equal({ seq: 25, time: '2025-01-02T00:00:00.000Z', type: 'app-hung', app: 'a34' });

    await journal.close();
    journal = await Journal.open(dir, { maxSegmentBytes: 200, keepSegments: 3, memoryEvents: 2 });
    expect(journal.lastSeq).to.equal(30);
    expect(seqs(await journal.since(0, 100))).to.deep.equal(range(22, 30));
    expect(seqs(await journal.append(event(40)))).to.deep.equal([31]);
    expect(await readdir(dir)).to.deep.equal(['events-000009.jsonl', 'events-000010.jsonl', 'events-000011.jsonl']);
  });

  it('writes a batch larger than maxSegmentBytes whole into one segment', async () => {
    journal = await Journal.open(dir, { maxSegmentBytes: 100 });
    await journal.append(range(10, 29).map(event));
    await journal.append(event(30));
    expect(await readdir(dir)).to.deep.equal(['events-000001.jsonl', 'events-000002.jsonl']);
    expect(await seqsInFile(join(dir, 'events-000001.jsonl'))).to.deep.equal(range(1, 20));
    expect(await seqsInFile(join(dir, 'events-000002.jsonl'))).to.deep.equal([21]);
  });
});
