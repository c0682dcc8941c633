// The SCS-pair coordinator's journal replication, on fake timers, with the peer link's I/O
// stubbed: what a backup does with a catch-up reply that arrives after it was promoted.

import { expect } from 'chai';
import sinon from 'sinon';
import type { Connection } from '@mlayer/addp';
import { silentLogger, systemClock } from '@mlayer/common';
import { type Journal, type JournalEvent, type PeerInfo, ScsPairCoordinator } from '@mlayer/scs/internal';

const ADDP = { timeoutMs: 3000, remoteTimeoutMs: 3000, trace: 'off' } as const;

function peer(patch: Partial<PeerInfo>): PeerInfo {
  return { id: 'scs-b', role: 'primary', epoch: 2, preferred: false, lastSeq: 5, apiUrl: null, yieldedFrom: null, ...patch };
}

describe('SCS pair coordinator', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  // Found by the SCS-pair chaos harness (seed 9): a backup asked its primary peer for its journal,
  // was promoted ("both SCSs were backup") while the request was out, then found its journal
  // ahead of the reply and set it aside: a primary threw away its own journal.
  it('ignores a catch-up reply that arrives after it was promoted', async () => {
    const journal = { lastSeq: 8, since: async () => [], appendReplicated: sinon.spy(async () => []) } as unknown as Journal;
    const resetJournal = sinon.spy(async () => undefined);
    const promote = sinon.spy(async () => undefined);
    const coordinator = new ScsPairCoordinator({
      id: 'scs-a', preferred: true, peer: { id: 'scs-b', host: 'host-b', address: { host: '10.0.0.2', port: 5000 } },
      listen: { host: '10.0.0.1', port: 5000 }, secret: undefined, addp: ADDP, negotiateWindowMs: 3000, takeoverDelayMs: 0,
    }, 1, {
      clock: systemClock, log: silentLogger, bind: false,
      connect: () => new Promise<Connection>(() => undefined), // the peer never answers the dial
      journal: () => journal, resetJournal, apiUrl: () => null, promote, demote: () => undefined, splitBrain: () => undefined, noBrain: () => undefined,
    });
    let reply: (value: { events: JournalEvent[]; lastSeq: number; anchor: JournalEvent | null }) => void = () => undefined;
    const sync = sinon.stub(coordinator.link, 'sync').returns(new Promise((resolve) => (reply = resolve)));
    sinon.stub(coordinator.link, 'visible').get(() => true);
    await coordinator.start();

    coordinator.link.emit('visible', true);
    coordinator.link.emit('info', peer({ role: 'primary' }));
    await clock.tickAsync(0);
    expect(coordinator.role).to.equal('backup');
    expect(sync.calledOnce).to.equal(true);
    coordinator.link.emit('info', peer({ role: 'backup' })); // both backup: scs-a, preferred, promotes
    expect(coordinator.role).to.equal('primary');
    expect(promote.calledOnce).to.equal(true);

    reply({ events: [], lastSeq: 5, anchor: null }); // behind this journal: a backup would set it aside
    await clock.tickAsync(0);
    expect(resetJournal.called).to.equal(false);
    expect((journal.appendReplicated as sinon.SinonSpy).called).to.equal(false);
    await coordinator.stop();
  });

  // Found by test/scs/scs-pair.test.ts (1 run in 4): after a split brain the loser had journaled
  // its own `scs-role` under seq 10, the winner its own under the same seq. The loser's first
  // catch-up failed (its own link to the winner was not up yet); the winner's streamed seq 11
  // came in on the other link and was appended after the loser's seq 10; the next catch-up,
  // from seq 11, agreed, and the two journals stayed different for good. A backup now appends
  // streamed events only once a catch-up has found its journal agreeing with this primary's.
  it('appends streamed events only after a catch-up found its journal agreeing with the primary\'s', async () => {
    const own: JournalEvent = { seq: 10, time: '2026-11-27T18:29:39.873Z', type: 'scs-role', scs: 'scs-a', from: 'primary', to: 'backup', epoch: 2 };
    const theirs: JournalEvent = { seq: 10, time: '2026-11-27T18:29:39.870Z', type: 'scs-role', scs: 'scs-b', from: 'backup', to: 'primary', epoch: 2 };
    const next: JournalEvent = { seq: 11, time: '2026-11-27T18:29:39.909Z', type: 'host-connected', host: 'host-a' };
    let events: JournalEvent[] = [own];
    const journal = {
      get lastSeq() {
        return events.at(-1)?.seq ?? 0;
      },
      since: async (seq: number, limit: number) => events.filter((e) => e.seq > seq).slice(0, limit),
      appendReplicated: async (more: JournalEvent[]) => {
        events = [...events, ...more];
        return more;
      },
    };
    const resetJournal = sinon.spy(async () => {
      events = [];
    });
    const coordinator = new ScsPairCoordinator({
      id: 'scs-a', preferred: true, peer: { id: 'scs-b', host: 'host-b', address: { host: '10.0.0.2', port: 5000 } },
      listen: { host: '10.0.0.1', port: 5000 }, secret: undefined, addp: ADDP, negotiateWindowMs: 3000, takeoverDelayMs: 0,
    }, 1, {
      clock: systemClock, log: silentLogger, bind: false,
      connect: () => new Promise<Connection>(() => undefined),
      journal: () => journal as unknown as Journal, resetJournal, apiUrl: () => null, promote: async () => undefined,
      demote: () => undefined, splitBrain: () => undefined, noBrain: () => undefined,
    });
    const primary = [theirs, next];
    const sync = sinon.stub(coordinator.link, 'sync');
    sync.onFirstCall().rejects(new Error('no link to the peer SCS'));
    sync.callsFake(async (since: number) => ({
      events: primary.filter((e) => e.seq > since), lastSeq: 11, anchor: primary.find((e) => e.seq === since) ?? null,
    }));
    sinon.stub(coordinator.link, 'visible').get(() => true);
    await coordinator.start();
    coordinator.link.emit('visible', true);
    coordinator.link.emit('info', peer({ role: 'primary', lastSeq: 11 }));
    await clock.tickAsync(0);
    expect(sync.callCount).to.equal(1); // failed: retried in 500 ms

    coordinator.link.emit('events', [next]); // streamed on the other link meanwhile
    await clock.tickAsync(600);
    expect(resetJournal.calledOnce).to.equal(true); // seq 10 differs: this journal was set aside
    expect(events).to.deep.equal([theirs, next]);
    await coordinator.stop();
  });
});
