// A real crash: a child process appends in a loop and is killed with SIGKILL mid-write, three
// times over the same directory. After each, the journal holds exactly seqs 1..N (no gap, no
// duplicate), every seq the child was told was fsynced is there, and nothing is reused.
// Runs the built code (dist): build first with `npx tsc -b`.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Journal, type JournalEvent } from '@mlayer/scs/internal';

const APPENDER = fileURLToPath(new URL('./fixtures/journal/appender.mjs', import.meta.url));

/** Every event of the journal, read through since() page by page. */
async function everything(journal: Journal): Promise<JournalEvent[]> {
  const all: JournalEvent[] = [];
  for (;;) {
    const page = await journal.since(all.at(-1)?.seq ?? 0, 10_000);
    if (page.length === 0) return all;
    all.push(...page);
  }
}

describe('journal after kill -9', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlayer-journal-'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the appender until `count` more seqs are acknowledged, kills it; returns its last "ok" seq. */
  async function runAndKill(count: number): Promise<{ startedAt: number; acked: number }> {
    const proc = spawn(process.execPath, [APPENDER, dir, '16384'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child = proc;
    let startedAt = -1;
    let acked = 0;
    let pending = '';
    await new Promise<void>((resolve, reject) => {
      proc.on('exit', (code, signal) => reject(new Error(`appender exited early (${code ?? signal})`)));
      proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const [word, value] = line.split(' ');
          if (word === 'ready') startedAt = Number(value);
          if (word === 'ok') acked = Math.max(acked, Number(value));
        }
        if (startedAt >= 0 && acked >= startedAt + count) resolve();
      });
    });
    proc.removeAllListeners('exit');
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL'); // while it is still appending: the loop never waits
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal).to.equal('SIGKILL');
    // Acknowledgements the child printed before it died may still be in the pipe.
    for (const line of pending.split('\n')) if (line.startsWith('ok ')) acked = Math.max(acked, Number(line.slice(3)));
    return { startedAt, acked };
  }

  it('keeps a contiguous 1..N with every acknowledged seq, across three crashes', async () => {
    let before = 0;
    for (let crash = 1; crash <= 3; crash++) {
      const { startedAt, acked } = await runAndKill(1000);
      expect(startedAt, `crash ${crash}: the child resumed after the last seq on disk`).to.equal(before);

      const journal = await Journal.open(dir, { memoryEvents: 100 });
      try {
        const events = await everything(journal);
        const n = events.length;
        expect(events.map((e) => e.seq)).to.deep.equal(Array.from({ length: n }, (_, i) => i + 1));
        expect(n, `crash ${crash}: all ${acked} acknowledged events are on disk`).to.be.at.least(acked);
        expect(journal.lastSeq).to.equal(n);
        for (const e of events) expect(e).to.include({ type: 'app-restart-scheduled' });
        before = n;
      } finally {
        await journal.close();
      }
    }
    expect((await readdir(dir)).length).to.be.greaterThan(3); // it rotated through several segments

    // And the segment files themselves, read raw: seqs 1..N in file order, nothing after a gap.
    const raw: number[] = [];
    for (const name of (await readdir(dir)).sort()) {
      const text = await readFile(join(dir, name), 'utf8');
      raw.push(...text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as JournalEvent).seq));
    }
    expect(raw).to.deep.equal(Array.from({ length: before }, (_, i) => i + 1));
  });
});
