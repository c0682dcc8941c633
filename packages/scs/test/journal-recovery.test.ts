// Opening a journal a crash left behind: a torn last line is skipped with a warning and cut off,
// corrupt lines in the middle are skipped without losing their neighbours, seqs continue.

import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMemoryLogger } from '@mlayer/common';
import { Journal, type JournalEvent } from '@mlayer/scs/internal';

const line = (seq: number) => `${JSON.stringify({ seq, time: '2025-01-02T03:04:05.006Z', type: 'app-hung', app: `app-${seq}` })}\n`;
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i)).join('');
const seqs = (events: readonly JournalEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('journal recovery', () => {
  let dir: string;
  let journal: Journal | undefined;
  let memory: ReturnType<typeof createMemoryLogger>;
  const warnings = () => memory.lines.filter((l) => l['level'] === 'warn');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlayer-journal-'));
    memory = createMemoryLogger('debug');
    journal = undefined;
  });

  afterEach(async () => {
    await journal?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes segment `index` by hand. */
  const segment = (index: number) => join(dir, `events-${String(index).padStart(6, '0')}.jsonl`);

  for (const [name, torn] of [
    ['a partial JSON line', '{"seq":6,"time":"2025-01-02T03:0'],
    ['a complete JSON line without its newline', line(6).trimEnd()],
    ['zero bytes the file system left after the last line', '\0'.repeat(4096)],
    ['a partial line followed by zero bytes and a newline', `{"seq":6,"ti${'\0'.repeat(100)}\n`],
  ] as const) {
    it(`skips a torn last line (${name}) with a warning naming file and offset, and truncates it`, async () => {
      const good = lines(1, 5);
      await writeFile(segment(1), good + torn);
      journal = await Journal.open(dir, { logger: memory.logger });

      expect(journal.lastSeq).to.equal(5);
      expect(warnings()).to.have.length(1);
      expect(warnings()[0]).to.include({ file: segment(1), offset: Buffer.byteLength(good), bytes: Buffer.byteLength(torn) });
      expect(String(warnings()[0]?.['message'])).to.match(/torn/);
      expect((await stat(segment(1))).size).to.equal(Buffer.byteLength(good));

      const [next] = await journal.append({ type: 'app-hung', app: 'after' });
      expect(next?.seq).to.equal(6);
      const text = await readFile(segment(1), 'utf8');
      expect(text.startsWith(good)).to.equal(true);
      expect(text.slice(good.length)).to.match(/^\{"seq":6,"time":"[^"]+","type":"app-hung","app":"after"\}\n$/);
      expect(seqs(await journal.since(0))).to.deep.equal(range(1, 6));
    });
  }

  it('cuts a torn line only from the last segment, and continues after the last seq of all segments', async () => {
    await writeFile(segment(1), lines(1, 3));
    await writeFile(segment(2), lines(4, 7) + '{"seq":8,');
    journal = await Journal.open(dir, { logger: memory.logger });
    expect(journal.lastSeq).to.equal(7);
    expect(await readFile(segment(2), 'utf8')).to.equal(lines(4, 7));
    expect(seqs(await journal.append({ type: 'app-hung', app: 'x' }))).to.deep.equal([8]);
    expect(await readFile(segment(2), 'utf8')).to.have.string('"seq":8');
  });

  it('skips a corrupt line in the middle of a segment with a warning and keeps the lines around it', async () => {
    const before = lines(1, 3);
    const garbage = 'this is {not json\n';
    await writeFile(segment(1), before + garbage + lines(4, 6));
    journal = await Journal.open(dir, { logger: memory.logger, memoryEvents: 2 });

    expect(journal.lastSeq).to.equal(6);
    expect(warnings()).to.have.length(1);
    expect(warnings()[0]).to.include({ file: segment(1), offset: Buffer.byteLength(before) });
    expect(String(warnings()[0]?.['message'])).to.match(/corrupt/);
    // The middle of a segment is left alone: only a torn end is ever cut.
    expect((await readFile(segment(1), 'utf8')).includes(garbage)).to.equal(true);
    expect(seqs(await journal.since(0))).to.deep.equal(range(1, 6)); // 1..4 from disk (memoryEvents 2)
    expect(seqs(await journal.append({ type: 'app-hung', app: 'x' }))).to.deep.equal([7]);
  });

  it('skips lines that are JSON but not events, and lines whose seq goes backwards', async () => {
    await writeFile(segment(1), lines(1, 2) + '{"hello":"world"}\n' + '[1,2]\n' + line(3) + line(2) + line(4));
    journal = await Journal.open(dir, { logger: memory.logger });
    expect(journal.lastSeq).to.equal(4);
    expect(warnings().map((w) => w['problem'])).to.deep.equal([
      'not a journal event (needs seq, time and type)',
      'not a journal event (needs seq, time and type)',
      'seq 2 does not follow 3',
    ]);
    expect(seqs(await journal.since(0))).to.deep.equal([1, 2, 3, 4]);
  });

  it('creates a missing directory and ignores files that are not segments', async () => {
    const nested = join(dir, 'a', 'b', 'scs.journal');
    journal = await Journal.open(nested);
    expect(journal.lastSeq).to.equal(0);
    await journal.close();
    await mkdir(join(nested, 'junk.d'));
    await appendFile(join(nested, 'notes.txt'), 'hello\n');
    journal = await Journal.open(nested);
    expect(seqs(await journal.append({ type: 'app-hung', app: 'x' }))).to.deep.equal([1]);
  });

  it('reopens an empty last segment (a crash right after a rotation) without reusing seqs', async () => {
    await writeFile(segment(1), lines(1, 4));
    await writeFile(segment(2), '');
    journal = await Journal.open(dir, { logger: memory.logger });
    expect(journal.lastSeq).to.equal(4);
    await journal.append({ type: 'app-hung', app: 'x' });
    expect(await readFile(segment(2), 'utf8')).to.match(/^\{"seq":5,/);
    expect(warnings()).to.deep.equal([]);
  });
});
