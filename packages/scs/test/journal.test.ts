// The event journal's normal life: seq and time assignment, one JSON line per event, seqs never
// reused across reopen, group commit (many appends, one fsync), subscribe and since().

import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ValidationError } from '@mlayer/common';
import { Journal, JournalError, type JournalEvent, type ScsEventBody } from '@mlayer/scs/internal';
import { FaultyFs } from './fixtures/journal/faulty-fs.js';

const hung = (i: number): ScsEventBody => ({ type: 'app-hung', app: `app-${i}` });
const seqs = (events: readonly JournalEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function linesOf(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).to.equal(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as unknown);
}

describe('journal', () => {
  let dir: string;
  let journal: Journal | undefined;
  let clockMs: number;
  const now = () => new Date(clockMs);

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'mlayer-journal-')), 'scs.journal');
    clockMs = Date.UTC(2025, 0, 2, 3, 4, 5, 6);
    journal = undefined;
  });

  afterEach(async () => {
    await journal?.close().catch(() => undefined);
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('creates the directory and writes each event as one JSON line { seq, time, type, ... }', async () => {
    journal = await Journal.open(dir, { now });
    const [first] = await journal.append({ type: 'host-connected', host: 'host-a' });
    clockMs += 1500;
    const more = await journal.append([hung(1), { type: 'config-reloaded', changes: ['apps.a'] }]);
    expect(first).to.deep.equal({ seq: 1, time: '2025-01-02T03:04:05.006Z', type: 'host-connected', host: 'host-a' });
    expect(seqs(more)).to.deep.equal([2, 3]);
    expect(await readdir(dir)).to.deep.equal(['events-000001.jsonl']);
    const text = await readFile(join(dir, 'events-000001.jsonl'), 'utf8');
    expect(text).to.equal(
      '{"seq":1,"time":"2025-01-02T03:04:05.006Z","type":"host-connected","host":"host-a"}\n' +
        '{"seq":2,"time":"2025-01-02T03:04:06.506Z","type":"app-hung","app":"app-1"}\n' +
        '{"seq":3,"time":"2025-01-02T03:04:06.506Z","type":"config-reloaded","changes":["apps.a"]}\n',
    );
    expect(journal.lastSeq).to.equal(3);
    expect(journal.durableSeq).to.equal(3);
  });

  it('never reuses a seq across close and reopen', async () => {
    journal = await Journal.open(dir);
    await journal.append([hung(1), hung(2), hung(3)]);
    await journal.close();
    journal = await Journal.open(dir);
    expect(journal.lastSeq).to.equal(3);
    expect(seqs(await journal.append(hung(4)))).to.deep.equal([4]);
    await journal.close();
    journal = await Journal.open(dir);
    expect(seqs(await journal.append([hung(5), hung(6)]))).to.deep.equal([5, 6]);
    expect(seqs(await journal.since(0))).to.deep.equal(range(1, 6));
    const lines = await linesOf(join(dir, 'events-000001.jsonl'));
    expect(lines.map((l) => (l as JournalEvent).seq)).to.deep.equal(range(1, 6));
  });

  it('assigns seqs in call order, synchronously, across concurrent appends', async () => {
    journal = await Journal.open(dir);
    const a = journal.append(hung(1));
    const b = journal.append([hung(2), hung(3)]);
    expect(journal.lastSeq).to.equal(3); // before anything was written
    const c = journal.append(hung(4));
    expect((await Promise.all([a, b, c])).map(seqs)).to.deep.equal([[1], [2, 3], [4]]);
  });

  it('group commit: 1000 appends issued in one tick cost one write and one fsync', async () => {
    const fs = new FaultyFs();
    journal = await Journal.open(dir, { fs });
    const appends = range(1, 1000).map((i) => journal!.append(hung(i)));
    const results = await Promise.all(appends);
    expect(results.flat().map((e) => e.seq)).to.deep.equal(range(1, 1000));
    expect(fs.writes).to.equal(1);
    expect(fs.syncs).to.equal(1);
    expect(fs.dirSyncs).to.equal(2); // the parent of the new directory, then for the new segment file
    expect(await linesOf(join(dir, 'events-000001.jsonl'))).to.have.length(1000);
  });

  it('group commit: appends made while an fsync runs share the next fsync', async () => {
    const fs = new FaultyFs();
    journal = await Journal.open(dir, { fs });
    let release!: () => void;
    fs.syncGate = new Promise((resolve) => (release = resolve));
    const first = journal.append(hung(0));
    while (fs.syncs === 0) await new Promise((resolve) => setImmediate(resolve));
    // 500 appends, each in its own tick, while the first fsync is held.
    const later: Array<Promise<JournalEvent[]>> = [];
    for (let i = 1; i <= 500; i++) {
      later.push(journal.append(hung(i)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(firstDone).to.equal(false); // append resolves only after its fsync
    fs.syncGate = undefined;
    release();
    await first;
    await Promise.all(later);
    expect(fs.syncs).to.equal(2);
    expect(fs.writes).to.equal(2);
    expect(journal.durableSeq).to.equal(501);
  });

  it('calls subscribers with every event in seq order, after its fsync, until unsubscribed', async () => {
    journal = await Journal.open(dir);
    const seen: Array<{ seq: number; durable: number }> = [];
    const j = journal;
    const unsubscribe = j.subscribe((event) => seen.push({ seq: event.seq, durable: j.durableSeq }));
    j.subscribe(() => {
      throw new Error('a broken subscriber does not stop the others');
    });
    await Promise.all([j.append(hung(1)), j.append([hung(2), hung(3)])]);
    await j.append(hung(4));
    unsubscribe();
    await j.append(hung(5));
    expect(seen).to.deep.equal([1, 2, 3, 4].map((seq) => ({ seq, durable: seq < 4 ? 3 : 4 })));
  });

  it('since() returns events after a seq, oldest first, limited, and capped at 10,000', async () => {
    journal = await Journal.open(dir, { memoryEvents: 20_000 });
    await journal.append(range(1, 10_050).map(hung));
    expect(seqs(await journal.since(0, 3))).to.deep.equal([1, 2, 3]);
    expect(seqs(await journal.since(10_047, 100))).to.deep.equal([10_048, 10_049, 10_050]);
    expect(await journal.since(10_050, 100)).to.deep.equal([]);
    expect(await journal.since(5, 0)).to.deep.equal([]);
    const capped = await journal.since(0, 1e9);
    expect(capped).to.have.length(10_000);
    expect(capped.at(-1)?.seq).to.equal(10_000);
  });

  it('since() reads from disk what memory no longer holds, after a reopen too', async () => {
    const fs = new FaultyFs();
    journal = await Journal.open(dir, { memoryEvents: 5 });
    for (let i = 1; i <= 20; i++) await journal.append(hung(i));
    expect(seqs(await journal.since(2, 4))).to.deep.equal([3, 4, 5, 6]);
    expect(seqs(await journal.since(12, 100))).to.deep.equal(range(13, 20));
    await journal.close();
    journal = await Journal.open(dir, { memoryEvents: 5, fs });
    expect(seqs(await journal.since(0, 100))).to.deep.equal(range(1, 20));
    const [event] = await journal.since(9, 1);
    expect(event).to.deep.include({ seq: 10, type: 'app-hung', app: 'app-10' });
  });

  it('rejects appends after close with a JournalError', async () => {
    journal = await Journal.open(dir);
    await journal.append(hung(1));
    await journal.close();
    const error: unknown = await journal.append(hung(2)).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(JournalError);
    expect(error).to.include({ code: 'EJOURNAL' });
    await journal.close(); // twice is fine
  });

  it('close() waits for appends still in flight', async () => {
    journal = await Journal.open(dir);
    const pending = journal.append(range(1, 50).map(hung));
    await journal.close();
    expect(seqs(await pending)).to.deep.equal(range(1, 50));
    expect(await linesOf(join(dir, 'events-000001.jsonl'))).to.have.length(50);
  });

  it('rejects bad options with a ValidationError', async () => {
    for (const options of [{ maxSegmentBytes: 0 }, { keepSegments: 0 }, { memoryEvents: -1 }, { maxSegmentBytes: 1.5 }]) {
      const error: unknown = await Journal.open(dir, options).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).to.be.instanceOf(ValidationError);
    }
  });
});
