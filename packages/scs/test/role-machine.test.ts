// The SCS-pair role machine, with fake timers: every combination of the two paths to the primary
// SCS lost and restored, epochs, split brain, no-brain and a simultaneous start.

import { expect } from 'chai';
import sinon from 'sinon';
import { type Actor, createActor } from 'xstate';
import { type PeerInfo, type RoleEffect, nextEpoch, primaryPeerUndetectable, roleMachine, winsTieBreak } from '@mlayer/scs/internal';

const WINDOW = 3000;

function peer(patch: Partial<PeerInfo> = {}): PeerInfo {
  return { id: 'scs-a', role: 'primary', epoch: 1, preferred: true, lastSeq: 10, apiUrl: 'http://127.0.0.1:5099', yieldedFrom: null, ...patch };
}

class Scs {
  readonly actor: Actor<typeof roleMachine>;
  readonly effects: RoleEffect[] = [];
  constructor(id = 'scs-b', preferred = false, epoch = 1) {
    this.actor = createActor(roleMachine, { input: { id, preferred, peerId: id === 'scs-a' ? 'scs-b' : 'scs-a', epoch, negotiateWindowMs: WINDOW, takeoverDelayMs: 0 } });
    this.actor.on('*', (e) => this.effects.push(e as RoleEffect));
    this.actor.start();
  }
  get role(): string {
    const value = this.actor.getSnapshot().value;
    return typeof value === 'string' ? value : Object.keys(value)[0] as string;
  }
  get epoch(): number {
    return this.actor.getSnapshot().context.epoch;
  }
  send(event: Parameters<Actor<typeof roleMachine>['send']>[0]): this {
    this.actor.send(event);
    return this;
  }
  promotions(): number[] {
    return this.effects.filter((e): e is Extract<RoleEffect, { type: 'promote' }> => e.type === 'promote').map((e) => e.epoch);
  }
  /** A backup that follows a live primary, with every path to it up. */
  static backup(): Scs {
    const scs = new Scs();
    scs.send({ type: 'lcas', any: true }).send({ type: 'peer-host', up: true, peerConnected: true });
    scs.send({ type: 'peer-visible', visible: true }).send({ type: 'peer-info', info: peer() });
    expect(scs.role).to.equal('backup');
    return scs;
  }
}

describe('SCS pair role machine', () => {
  let clock: sinon.SinonFakeTimers;
  let actors: Scs[];
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    actors = [];
  });
  afterEach(() => {
    for (const a of actors) a.actor.stop();
    clock.restore();
  });
  const track = (scs: Scs) => {
    actors.push(scs);
    return scs;
  };

  describe('the guard: promote only when the primary SCS is undetectable by both paths', () => {
    const cases: Array<[string, { peerVisible: boolean; peerHostUp: boolean; peerOnItsHost: boolean }, boolean]> = [
      ['both paths up', { peerVisible: true, peerHostUp: true, peerOnItsHost: true }, false],
      ['only the direct link lost', { peerVisible: false, peerHostUp: true, peerOnItsHost: true }, false],
      ['only the LCA link lost', { peerVisible: true, peerHostUp: false, peerOnItsHost: false }, false],
      ['the LCA says the primary SCS left it, direct link up', { peerVisible: true, peerHostUp: true, peerOnItsHost: false }, false],
      ['both lost', { peerVisible: false, peerHostUp: false, peerOnItsHost: false }, true],
      ['direct link lost and the LCA says the primary SCS left it (killed)', { peerVisible: false, peerHostUp: true, peerOnItsHost: false }, true],
    ];
    for (const [what, state, expected] of cases) {
      it(`${expected ? 'promotes' : 'does not promote'}: ${what}`, () => {
        expect(primaryPeerUndetectable(state)).to.equal(expected);
        const scs = track(Scs.backup());
        scs.send({ type: 'peer-host', up: state.peerHostUp, peerConnected: state.peerOnItsHost });
        scs.send({ type: 'peer-visible', visible: state.peerVisible });
        clock.tick(10);
        expect(scs.role).to.equal(expected ? 'primary' : 'backup');
        expect(scs.promotions()).to.deep.equal(expected ? [2] : []);
      });
    }

    it('goes back to watching when a path comes back before the takeover', () => {
      const s = createActor(roleMachine, { input: { id: 'scs-b', preferred: false, peerId: 'scs-a', epoch: 1, negotiateWindowMs: WINDOW, takeoverDelayMs: 500 } });
      const effects: RoleEffect[] = [];
      s.on('*', (e) => effects.push(e as RoleEffect));
      s.start();
      s.send({ type: 'lcas', any: true });
      s.send({ type: 'peer-visible', visible: true });
      s.send({ type: 'peer-info', info: peer() });
      s.send({ type: 'peer-visible', visible: false }); // both paths down (host LCA never up)
      clock.tick(300);
      s.send({ type: 'peer-visible', visible: true }); // back before the delay
      clock.tick(1000);
      expect(effects.filter((e) => e.type === 'promote')).to.deep.equal([]);
      s.stop();
    });
  });

  describe('epochs', () => {
    it('takes epoch = highest seen + 1 when it promotes', () => {
      const scs = track(Scs.backup());
      scs.send({ type: 'epoch-seen', epoch: 7, source: 'the LCA of host-b' });
      scs.send({ type: 'peer-host', up: false, peerConnected: false }).send({ type: 'peer-visible', visible: false });
      expect(scs.promotions()).to.deep.equal([8]);
      expect(scs.epoch).to.equal(8);
    });

    it('a primary that learns of a higher epoch yields at once', () => {
      const scs = track(Scs.backup());
      scs.send({ type: 'peer-host', up: false, peerConnected: false }).send({ type: 'peer-visible', visible: false });
      expect(scs.role).to.equal('primary');
      scs.send({ type: 'epoch-seen', epoch: 2, source: 'x' });
      expect(scs.role).to.equal('primary'); // its own epoch
      scs.send({ type: 'epoch-seen', epoch: 5, source: 'the LCA of host-a' });
      expect(scs.role).to.equal('backup');
      const demote = scs.effects.find((e) => e.type === 'demote');
      expect(demote).to.deep.include({ epoch: 5 });
      // It cannot see the SCS that holds epoch 5: it must not outbid it blindly.
      clock.tick(60_000);
      expect(scs.role).to.equal('backup');
      expect(scs.promotions()).to.deep.equal([2]);
      // Once it has seen its rival and then lost it by both paths, it may take over again.
      scs.send({ type: 'peer-host', up: true, peerConnected: true }).send({ type: 'peer-host', up: false, peerConnected: false });
      expect(scs.promotions()).to.deep.equal([2, 6]);
    });
  });

  describe('disjoint epochs', () => {
    it('gives the lower id the odd epochs and its peer the even ones, always above what it knows', () => {
      expect([0, 1, 2, 3].map((e) => nextEpoch(e, 'scs-a', 'scs-b'))).to.deep.equal([1, 3, 3, 5]);
      expect([0, 1, 2, 3].map((e) => nextEpoch(e, 'scs-b', 'scs-a'))).to.deep.equal([2, 2, 4, 4]);
    });

    // Found by the SCS-pair chaos harness (seed 3): scs-b took over under epoch 2 during a
    // partition; scs-a, restarted with the epoch 1 it held and still cut off, promoted itself
    // to 1 + 1 = 2 too. Both were primary under epoch 2, and the LCAs, which fence only lower
    // epochs, would have obeyed both.
    it('two SCSs that promote without hearing of each other never take the same epoch', () => {
      const a = track(new Scs('scs-a', true, 1));
      const b = track(new Scs('scs-b', false, 1));
      for (const scs of [a, b]) scs.send({ type: 'lcas', any: true }).send({ type: 'peer-host', up: true, peerConnected: false });
      clock.tick(WINDOW);
      expect(a.role).to.equal('primary');
      expect(b.role).to.equal('primary');
      expect(a.promotions()).to.deep.equal([3]);
      expect(b.promotions()).to.deep.equal([2]);
    });
  });

  describe('split brain', () => {
    it('two primaries after a partition heals: split-brain recorded, the lower epoch yields', () => {
      const scs = track(Scs.backup());
      scs.send({ type: 'peer-host', up: false, peerConnected: false }).send({ type: 'peer-visible', visible: false });
      expect(scs.epoch).to.equal(2);
      // The partition heals: the old primary (epoch 1) is still primary.
      scs.send({ type: 'peer-visible', visible: true }).send({ type: 'peer-info', info: peer({ epoch: 1 }) });
      expect(scs.role).to.equal('primary');
      expect(scs.effects.find((e) => e.type === 'split-brain')).to.deep.equal({ type: 'split-brain', peer: 'scs-a', epochs: { 'scs-b': 2, 'scs-a': 1 } });
      // Seen from the old primary: it yields to the higher epoch.
      const old = track(new Scs('scs-a', true, 0));
      old.send({ type: 'lcas', any: true }).send({ type: 'peer-visible', visible: true }).send({ type: 'peer-info', info: peer({ id: 'scs-b', role: 'backup', epoch: 1, preferred: false }) });
      expect(old.role).to.equal('primary');
      expect(old.epoch).to.equal(3); // scs-a takes the odd epochs
      old.send({ type: 'peer-info', info: peer({ id: 'scs-b', role: 'primary', epoch: 4, preferred: false }) });
      expect(old.role).to.equal('backup');
      expect(old.effects.map((e) => e.type)).to.include.members(['split-brain', 'demote']);
    });
  });

  describe('start', () => {
    it('both starting at once: exactly one primary, by the tie-break (configured primary first, then id)', () => {
      expect(winsTieBreak({ id: 'scs-b', preferred: true }, { id: 'scs-a', preferred: false })).to.equal(true);
      expect(winsTieBreak({ id: 'scs-a', preferred: false }, { id: 'scs-b', preferred: false })).to.equal(true);
      const a = track(new Scs('scs-a', false, 0));
      const b = track(new Scs('scs-b', true, 0));
      for (const [self, other] of [[a, b], [b, a]] as const) {
        self.send({ type: 'lcas', any: true }).send({ type: 'peer-visible', visible: true });
        self.send({ type: 'peer-info', info: peer({ id: other === a ? 'scs-a' : 'scs-b', role: 'negotiating', epoch: 0, preferred: other === b }) });
      }
      expect([a.role, b.role].sort()).to.deep.equal(['backup', 'primary']);
      expect(b.role).to.equal('primary');
    });

    it('follows a peer that is already primary', () => {
      const scs = track(new Scs('scs-a', true, 3));
      scs.send({ type: 'peer-visible', visible: true }).send({ type: 'peer-info', info: peer({ id: 'scs-b', role: 'primary', epoch: 4, preferred: false }) });
      expect(scs.role).to.equal('backup');
      expect(scs.promotions()).to.deep.equal([]);
    });

    it('alone after the negotiation window: primary if the peer is undetectable', () => {
      const scs = track(new Scs('scs-b', false, 0));
      scs.send({ type: 'lcas', any: true });
      clock.tick(WINDOW - 1);
      expect(scs.role).to.equal('negotiating');
      clock.tick(1);
      expect(scs.role).to.equal('primary');
    });

    it('alone after the window but the peer is alive on its LCA: backup', () => {
      const scs = track(new Scs('scs-b', false, 0));
      scs.send({ type: 'lcas', any: true }).send({ type: 'peer-host', up: true, peerConnected: true });
      clock.tick(WINDOW);
      expect(scs.role).to.equal('backup');
    });
  });

  describe('no-brain', () => {
    it('a backup that sees neither its peer nor any LCA raises no-brain and does not promote', () => {
      const scs = track(Scs.backup());
      scs.send({ type: 'lcas', any: false }).send({ type: 'peer-host', up: false, peerConnected: false }).send({ type: 'peer-visible', visible: false });
      clock.tick(10_000);
      expect(scs.role).to.equal('backup');
      expect(scs.effects.filter((e) => e.type === 'no-brain')).to.deep.equal([{ type: 'no-brain', active: true }]);
      scs.send({ type: 'lcas', any: true });
      expect(scs.effects.filter((e) => e.type === 'no-brain').at(-1)).to.deep.equal({ type: 'no-brain', active: false });
      expect(scs.role).to.equal('primary'); // an LCA is reachable again and the primary SCS is not
    });
  });
});
