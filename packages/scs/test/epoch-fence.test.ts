// EpochFence: what the SCS does with the epochs its LCAs report, against fake hosts (their
// links answer claims and snapshots as told) and a fake role coordinator that records what it
// was told. No sockets, no timers.

import { expect } from 'chai';
import { type MemoryLogger, type Snapshot, createMemoryLogger } from '@mlayer/common';
import { EpochFence, type Host, type ScsPairCoordinator } from '@mlayer/scs/internal';

const snapshot = (epoch: number, scs: string[] = []): Snapshot => ({
  type: 'snapshot', host: 'host-a', epoch, apps: [], scs: scs.map((id) => ({ scs: id, epoch })),
});

/** A host whose LCA link answers claims and snapshots with the LCA's current epoch. */
class FakeHost {
  lcaEpoch: number;
  readonly claims: number[] = [];
  snapshots = 0;
  failClaims = false;
  private release: Array<() => void> = [];
  holdSnapshots = false;

  constructor(readonly name: string, epoch: number) {
    this.lcaEpoch = epoch;
  }

  readonly link = {
    claim: async (epoch: number): Promise<Snapshot> => {
      this.claims.push(epoch);
      if (this.failClaims) throw new Error('request timed out');
      this.lcaEpoch = Math.max(this.lcaEpoch, epoch);
      return snapshot(this.lcaEpoch);
    },
    snapshot: async (): Promise<Snapshot> => {
      this.snapshots += 1;
      if (this.holdSnapshots) await new Promise<void>((resolve) => this.release.push(resolve));
      return snapshot(this.lcaEpoch);
    },
  };

  releaseSnapshots(): void {
    for (const resolve of this.release) resolve();
    this.release = [];
  }
}

const asHost = (host: FakeHost) => host as unknown as Host;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('EpochFence', () => {
  let logs: MemoryLogger;
  let epoch: number;
  let primary: boolean;
  let seen: Array<[number, string]>;
  let takenUp: number[];
  let pair: boolean;
  let fence: EpochFence;

  beforeEach(() => {
    logs = createMemoryLogger('debug');
    epoch = 3;
    primary = true;
    pair = true;
    seen = [];
    takenUp = [];
    const coordinator = { observeEpoch: (e: number, source: string) => seen.push([e, source]) } as unknown as ScsPairCoordinator;
    fence = new EpochFence({
      log: logs.logger,
      selfId: 'scs-a',
      epoch: () => epoch,
      isPrimary: () => primary,
      coordinator: () => (pair ? coordinator : undefined),
      takeUp: (e) => {
        takenUp.push(e);
        epoch = e;
      },
    });
  });

  const logged = (message: string) => logs.lines.filter((l) => l.message === message);

  describe('in an SCS pair', () => {
    it('claims again on an LCA whose snapshot shows a lower epoch than the primary\'s (its link was authenticating during the promotion)', async () => {
      const host = new FakeHost('host-a', 1);
      fence.snapshot(asHost(host), snapshot(1));
      await settle();
      expect(host.claims).to.deep.equal([3]);
      expect(host.lcaEpoch).to.equal(3);
    });

    it('does not claim as a backup, nor when the LCA already follows the epoch', async () => {
      const host = new FakeHost('host-a', 3);
      fence.snapshot(asHost(host), snapshot(3));
      primary = false;
      fence.snapshot(asHost(host), snapshot(1));
      await settle();
      expect(host.claims).to.deep.equal([]);
    });

    it('tells the role machine every epoch an LCA reports: snapshot, sessions report, the answer to a claim', async () => {
      const host = new FakeHost('host-b', 7);
      fence.snapshot(asHost(host), snapshot(5));
      fence.sessions(asHost(host), 6, [{ scs: 'scs-b' }]);
      fence.claim(asHost(host), 3);
      await settle();
      expect(seen).to.deep.equal([[5, 'the LCA of host-b'], [6, 'the LCA of host-b'], [7, 'the LCA of host-b']]);
    });

    it('logs a claim that fails, and claims nothing more by itself (a dropped link presents the epoch again)', async () => {
      const host = new FakeHost('host-a', 1);
      host.failClaims = true;
      fence.claim(asHost(host), 3);
      await settle();
      expect(logged('cannot claim the epoch on an LCA')).to.have.length(1);
      expect(logged('cannot claim the epoch on an LCA')[0]).to.include({ host: 'host-a', epoch: 3, error: 'request timed out' });
      expect(host.claims).to.deep.equal([3]);
    });

    it('asks an LCA that refused a command as stale for its epoch, once while the question is out, and tells the role machine', async () => {
      const host = new FakeHost('host-a', 4);
      host.holdSnapshots = true;
      fence.fenced(asHost(host));
      fence.fenced(asHost(host));
      fence.fenced(asHost(host));
      expect(host.snapshots).to.equal(1);
      host.releaseSnapshots();
      await settle();
      expect(seen).to.deep.equal([[4, 'the LCA of host-a']]);
      expect(logged('the LCA refused a command of this SCS as stale')[0]).to.include({ host: 'host-a', epoch: 3, lcaEpoch: 4 });
      fence.fenced(asHost(host)); // answered: a new refusal asks again
      host.releaseSnapshots();
      await settle();
      expect(host.snapshots).to.equal(2);
    });
  });

  describe('a single SCS', () => {
    beforeEach(() => {
      pair = false;
      epoch = 0;
    });

    it('takes up the higher epoch of an LCA that followed a pair, when no other SCS is connected to it', () => {
      fence.snapshot(asHost(new FakeHost('host-a', 5)), snapshot(5, ['scs-a']));
      expect(takenUp).to.deep.equal([5]);
      expect(logged('a single SCS takes up the epoch its LCAs follow')[0]).to.include({ host: 'host-a', from: 0, to: 5 });
      fence.snapshot(asHost(new FakeHost('host-b', 5)), snapshot(5, ['scs-a']));
      expect(takenUp).to.deep.equal([5]); // once
    });

    it('does not take up the epoch of another SCS still connected to the LCA; takes it up once that SCS has gone', () => {
      const host = asHost(new FakeHost('host-a', 5));
      fence.snapshot(host, snapshot(5, ['scs-a', 'scs-b']));
      expect(takenUp).to.deep.equal([]);
      expect(logged('an LCA follows the epoch of another SCS that is connected to it: this single SCS will not command it')[0])
        .to.deep.include({ host: 'host-a', lcaEpoch: 5, epoch: 0, others: ['scs-b'] });
      fence.sessions(host, 5, [{ scs: 'scs-a' }, { scs: 'scs-b' }]);
      expect(takenUp).to.deep.equal([]);
      fence.sessions(host, 5, [{ scs: 'scs-a' }]);
      expect(takenUp).to.deep.equal([5]);
    });

    it('never claims, and says a second SCS is acting when an LCA refuses it as stale', async () => {
      const host = new FakeHost('host-a', 9);
      fence.snapshot(asHost(host), snapshot(0, ['scs-a']));
      fence.fenced(asHost(host));
      await settle();
      expect(host.claims).to.deep.equal([]);
      expect(logged('an LCA follows the epoch of another SCS than this single one: a second SCS is acting on these hosts')).to.have.length(1);
      expect(seen).to.deep.equal([]);
    });
  });
});
