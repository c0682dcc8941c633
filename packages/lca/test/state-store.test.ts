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

  it('coalesces concurrent saves into one pending write: they share one promise and the last state wins', async () => {
    const store = new StateStore(dir, createMemoryLogger().logger);
    const first = stateWith(1, 101);
    const saves = [store.save(first), store.save(stateWith(2, 102)), store.save(stateWith(3, 103))];
    first.epoch = 99; // a save keeps a copy: later changes to the caller's object are not written
    expect(saves[1]).to.equal(saves[0]);
    expect(saves[2]).to.equal(saves[0]);
    await Promise.all(saves);
    expect(store.load()).to.deep.equal(stateWith(3, 103));
    await store.save(stateWith(4, 104)); // and the next save after that is written too
    expect(store.load()).to.deep.equal(stateWith(4, 104));
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
