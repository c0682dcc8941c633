// The LCA's durable memory (STATE_DIR/state.json), on real files in a temp dir.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMemoryLogger } from '@mlayer/common';
import { type PersistedState, StateStore, emptyState } from '@mlayer/lca/internal';

const spec = { name: 'app-a', command: 'mlayer-demo-app', args: ['--port', '7101'], env: {}, addpTimeoutMs: 2000, startTimeoutMs: 10_000, stopTimeoutMs: 10_000 };

function stateWith(epoch: number, pid: number): PersistedState {
  return {
    version: 1,
    epoch,
    apps: { 'app-a': { spec, token: 'f'.repeat(48), pid, startTime: '12345', status: 'started', role: 'primary' } },
  };
}

describe('LCA state file (StateStore)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlayer-state-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts empty when there is no file yet', () => {
    expect(new StateStore(join(dir, 'new'), createMemoryLogger().logger).load()).to.deep.equal(emptyState());
  });

  it('loads what it saved', async () => {
    const store = new StateStore(dir, createMemoryLogger().logger);
    await store.save(stateWith(3, 4242));
    expect(new StateStore(dir, createMemoryLogger().logger).load()).to.deep.equal(stateWith(3, 4242));
    expect(readdirSync(dir)).to.deep.equal(['state.json']); // no temp file left behind
  });

  it('sets a corrupt file aside, logs an error, and starts empty', () => {
    writeFileSync(join(dir, 'state.json'), '{"version": 1, "epoch": "not a number"');
    const { logger, lines } = createMemoryLogger();
    expect(new StateStore(dir, logger).load()).to.deep.equal(emptyState());
    const aside = readdirSync(dir).filter((f) => f.startsWith('state.json.corrupt-'));
    expect(aside).to.have.length(1);
    expect(readFileSync(join(dir, aside[0] as string), 'utf8')).to.equal('{"version": 1, "epoch": "not a number"');
    expect(existsSync(join(dir, 'state.json'))).to.equal(false);
    const error = lines.find((l) => l.level === 'error');
    expect(error).to.include({ file: join(dir, 'state.json'), movedTo: join(dir, aside[0] as string) });
    expect(error?.message).to.contain('corrupt');
  });

  it('sets aside a file that is valid JSON but not a state', () => {
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 2, epoch: 0, apps: {} }));
    const { logger, lines } = createMemoryLogger();
    expect(new StateStore(dir, logger).load()).to.deep.equal(emptyState());
    expect(readdirSync(dir).filter((f) => f.startsWith('state.json.corrupt-'))).to.have.length(1);
    expect(lines.filter((l) => l.level === 'error')).to.have.length(1);
  });

  it('coalesces a burst of saves into as few writes as possible, building each state only when its write starts', async () => {
    const store = new StateStore(dir, createMemoryLogger().logger);
    const built: number[] = [];
    const producer = (n: number) => () => {
      built.push(n);
      return stateWith(n, 100 + n);
    };
    const saves = [1, 2, 3, 4].map((n) => store.save(producer(n)));
    await Promise.all(saves);
    expect(built).to.deep.equal([1, 4]); // the first write starts at once; the rest coalesce into one
    expect(store.load()).to.deep.equal(stateWith(4, 104));
    await store.save(stateWith(5, 105)); // and the next save after that is written too
    expect(store.load()).to.deep.equal(stateWith(5, 105));
  });

  it('resolves a save only once a write that began after it has finished', async () => {
    const store = new StateStore(dir, createMemoryLogger().logger);
    const first = store.save(stateWith(1, 101));
    let secondDone = false;
    const second = store.save(stateWith(2, 102)).then(() => {
      secondDone = true;
    });
    await first;
    expect(secondDone).to.equal(false); // the first write began before the second save
    await second;
    expect(store.load()).to.deep.equal(stateWith(2, 102));
  });

  it('never rejects: a failed write is logged and the next save tries again', async () => {
    const { logger, lines } = createMemoryLogger();
    const store = new StateStore(dir, logger);
    rmSync(dir, { recursive: true, force: true }); // the state dir vanished under it
    await store.save(stateWith(1, 101));
    expect(lines.find((l) => l.level === 'error')?.message).to.contain('cannot save LCA state');
    const again = new StateStore(dir, logger); // recreates the directory
    await store.save(stateWith(2, 102));
    expect(again.load()).to.deep.equal(stateWith(2, 102));
  });
});
