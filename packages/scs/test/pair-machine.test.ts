// The pair machine, driven with plain events on a fake clock: no sockets, no processes.

import { expect } from 'chai';
import sinon from 'sinon';
import { type Actor, createActor } from 'xstate';
import type { Role } from '@mlayer/common';
import { type Member, type PairEffect, type PairSettings, type Slot, pairMachine, pairStateName, desiredRole } from '@mlayer/scs/internal';

const settings = (patch: Partial<PairSettings> = {}): PairSettings => ({
  name: 'stat-a',
  kind: 'generic',
  redundancy: 'warm-standby',
  requireSync: false,
  flapping: { maxSwitchovers: 3, windowMs: 60_000 },
  switchoverTimeoutMs: 5000,
  startWindowMs: 10_000,
  ...patch,
});

const member = (name: string, patch: Partial<Member> = {}): Member => ({
  name, status: 'unknown', role: 'none', hostUp: true, facts: {}, planned: false, ...patch,
});

class Pair {
  readonly actor: Actor<typeof pairMachine>;
  readonly effects: PairEffect[] = [];
  private members: Record<Slot, Member>;

  constructor(readonly clock: sinon.SinonFakeTimers, s: PairSettings = settings(), init: Partial<Record<Slot, Partial<Member>>> = {}, lastPrimary: Slot | null = null) {
    this.members = { a: member('stat-a', init.a), b: member('stat-b', init.b) };
    this.actor = createActor(pairMachine, { input: { settings: s, members: this.members, lastPrimary } });
    this.actor.on('*', (effect) => this.effects.push(effect as PairEffect));
    this.actor.start();
  }

  set(slot: Slot, patch: Partial<Member>): this {
    this.members = { ...this.members, [slot]: { ...this.members[slot], ...patch } };
    this.actor.send({ type: 'member', slot, member: this.members[slot], at: Date.now() });
    return this;
  }

  /** Every role assignment not yet answered gets acknowledged, as a healthy application does. */
  ackAll(): this {
    for (;;) {
      const pending = this.actor.getSnapshot().context.pending;
      const slot = (['a', 'b'] as const).find((s) => pending[s] !== null);
      if (slot === undefined) return this;
      const role = pending[slot] as Role;
      this.members = { ...this.members, [slot]: { ...this.members[slot], role } };
      this.actor.send({ type: 'role-acked', slot, role, at: Date.now() });
    }
  }

  get state(): string {
    return pairStateName(this.actor.getSnapshot());
  }

  get primary(): Slot | null {
    return this.actor.getSnapshot().context.primary;
  }

  journal(type?: string): Array<Record<string, unknown>> {
    return this.effects
      .filter((e): e is Extract<PairEffect, { type: 'journal' }> => e.type === 'journal')
      .map((e) => e.event as unknown as Record<string, unknown>)
      .filter((e) => type === undefined || e.type === type);
  }

  assignments(): string[] {
    return this.effects.filter((e) => e.type === 'assign-role').map((e) => `${(e as { app: string }).app}=${(e as { role: string }).role}`);
  }

  of<T extends PairEffect['type']>(type: T): Array<Extract<PairEffect, { type: T }>> {
    return this.effects.filter((e): e is Extract<PairEffect, { type: T }> => e.type === type);
  }
}

describe('pair machine', () => {
  let clock: sinon.SinonFakeTimers;
  let pairs: Pair[];
  const pair = (...args: ConstructorParameters<typeof Pair> extends [unknown, ...infer R] ? R : never) => {
    const p = new Pair(clock, ...args);
    pairs.push(p);
    return p;
  };

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    pairs = [];
  });
  afterEach(() => {
    for (const p of pairs) p.actor.stop();
    clock.restore();
  });

  /** A pair serving normally: stat-a primary, stat-b backup, both acknowledged. */
  function serving(s: PairSettings = settings()): Pair {
    const p = pair(s);
    p.set('a', { status: 'started' }).set('b', { status: 'started' }).ackAll();
    expect(p.state).to.equal('active');
    p.effects.length = 0;
    return p;
  }

  describe('start', () => {
    it('gives the configured primary role primary when it starts, and the backup role backup', () => {
      const p = pair();
      p.set('b', { status: 'started' });
      expect(p.state).to.equal('starting'); // the backup alone does not take over at once
      p.set('a', { status: 'started' });
      expect(p.assignments()).to.deep.equal(['stat-a=primary']);
      p.ackAll();
      expect(p.state).to.equal('active');
      expect(p.assignments()).to.deep.equal(['stat-a=primary', 'stat-b=backup']);
      expect(p.journal('switchover-started')).to.deep.equal([]); // an initial assignment is not a switchover
    });

    it('makes the backup primary when only it comes up within the start window', () => {
      const p = pair();
      p.set('b', { status: 'started' });
      clock.tick(9_999);
      expect(p.assignments()).to.deep.equal([]);
      clock.tick(1);
      expect(p.assignments()).to.deep.equal(['stat-b=primary']);
      p.ackAll();
      expect(p.primary).to.equal('b');
      p.set('a', { status: 'started' }).ackAll();
      expect(p.assignments()).to.deep.equal(['stat-b=primary', 'stat-a=backup']); // the latecomer is backup
    });

    it('keeps a member that already acts as primary after an SCS restart (no demotion of a healthy primary)', () => {
      const p = pair(settings(), { a: { status: 'started', role: 'backup' }, b: { status: 'started', role: 'primary' } });
      expect(p.state).to.equal('active');
      expect(p.primary).to.equal('b');
      expect(p.assignments()).to.deep.equal([]);
    });

    it('waits for the primary the journal remembers instead of promoting the configured one', () => {
      const p = pair(settings(), {}, 'b');
      p.set('a', { status: 'started' });
      expect(p.assignments()).to.deep.equal([]);
      p.set('b', { status: 'started', role: 'primary' });
      expect(p.primary).to.equal('b');
      p.ackAll();
      expect(p.assignments()).to.deep.equal(['stat-a=backup']);
    });

    it('taking over from another SCS: switches at once when the journaled primary is known dead', () => {
      const p = pair(settings(), { a: { status: 'stopped' }, b: { status: 'started', role: 'backup' } }, 'a');
      expect(p.assignments()).to.deep.equal(['stat-b=primary']);
      p.ackAll();
      expect(p.journal('switchover-completed')[0]).to.include({ primary: 'stat-b', reason: 'process-failure' });
    });

    it('a fresh start (no journal) still waits for the configured primary', () => {
      const p = pair(settings(), { a: { status: 'stopped' }, b: { status: 'started' } });
      expect(p.assignments()).to.deep.equal([]);
      expect(p.state).to.equal('starting');
    });

    it('when both claim primary (after a partition), keeps the preferred one and demotes the other', () => {
      const p = pair(settings(), { a: { status: 'started', role: 'primary' }, b: { status: 'started', role: 'primary' } });
      expect(p.primary).to.equal('a');
      expect(p.assignments()).to.deep.equal(['stat-b=backup']);
    });
  });

  describe('failure of the primary', () => {
    for (const [what, patch, reason] of [
      ['process exit', { status: 'stopped' }, 'process-failure'],
      ['hang', { status: 'hung' }, 'hang'],
      ['host loss', { hostUp: false }, 'host-failure'],
      ['service unavailable', { status: 'service-unavailable' }, 'service-unavailable'],
    ] as const) {
      it(`promotes the started backup on ${what}, with reason ${reason}`, () => {
        const p = serving();
        clock.tick(1000);
        p.set('a', patch);
        expect(p.journal('switchover-started')).to.deep.equal([{ type: 'switchover-started', pair: 'stat-a', from: 'stat-a', to: 'stat-b', reason }]);
        clock.tick(7);
        p.ackAll();
        expect(p.primary).to.equal('b');
        expect(p.journal('switchover-completed')).to.deep.equal([{ type: 'switchover-completed', pair: 'stat-a', primary: 'stat-b', reason, ms: 7 }]);
      });
    }

    it('journals the switchover before it asks the backup to become primary', () => {
      const p = serving();
      p.set('a', { status: 'stopped' });
      expect(p.effects.map((e) => e.type)).to.deep.equal(['journal', 'assign-role']);
    });

    it('demotes a primary that still runs (service unavailable) before promoting the backup', () => {
      const p = serving();
      p.set('a', { status: 'service-unavailable' });
      expect(p.assignments()).to.deep.equal(['stat-a=backup']);
      p.ackAll();
      expect(p.assignments()).to.deep.equal(['stat-a=backup', 'stat-b=primary']);
      p.ackAll();
      const ctx = p.actor.getSnapshot().context;
      expect([ctx.members.a.role, ctx.members.b.role]).to.deep.equal(['backup', 'primary']); // never two primaries
    });

    // Found by the chaos harness (seed 136): the primary, still on its way to role primary (asked
    // just before it reported Service Unavailable), was not demoted first, acknowledged primary
    // after the backup had been promoted: two primaries.
    it('demotes a failed primary whose promotion is still on its way before promoting the backup', () => {
      const p = serving();
      p.set('b', { status: 'stopped', role: 'none' });
      p.set('a', { status: 'service-unavailable' });
      p.actor.send({ type: 'role-acked', slot: 'a', role: 'backup', at: Date.now() }); // a stray, late acknowledgement
      p.set('b', { status: 'started' });
      expect(p.state).to.equal('demoting');
      expect(p.assignments()).to.deep.equal(['stat-a=primary', 'stat-b=backup', 'stat-a=backup']);
      p.actor.send({ type: 'role-acked', slot: 'a', role: 'primary', at: Date.now() }); // the late one
      expect(p.state).to.equal('demoting');
      p.actor.send({ type: 'role-acked', slot: 'a', role: 'backup', at: Date.now() });
      expect(p.state).to.equal('promoting');
      expect(p.assignments().at(-1)).to.equal('stat-b=primary');
    });

    // Found by the chaos harness (seed 63): the switchover was abandoned while the demotion was on
    // its way; the primary role was sent again at once, and the (first) demotion's acknowledgement
    // was later taken as the answer to the next switchover: the old primary took primary after it.
    it('sends a member one role at a time: a role on its way is answered before the next is sent', () => {
      const p = serving();
      p.set('a', { status: 'service-unavailable' });
      expect(p.assignments()).to.deep.equal(['stat-a=backup']);
      p.set('b', { status: 'stopped', role: 'none' }); // the candidate dies: the switchover is off
      expect(p.state).to.equal('active');
      expect(p.assignments()).to.deep.equal(['stat-a=backup']); // not primary again before the answer
      p.actor.send({ type: 'role-acked', slot: 'a', role: 'backup', at: Date.now() });
      expect(p.assignments()).to.deep.equal(['stat-a=backup', 'stat-a=primary']);
    });

    it('fences a running primary that does not acknowledge its demotion, then promotes', () => {
      const p = serving();
      p.set('a', { status: 'service-unavailable' });
      clock.tick(5001); // the timeout, then one more turn for replies already received
      expect(p.of('fence').map((f) => f.app)).to.deep.equal(['stat-a']);
      expect(p.assignments()).to.deep.equal(['stat-a=backup', 'stat-b=primary']);
    });

    it('goes to no-primary when the primary dies without a started backup, and promotes whoever starts first', () => {
      const p = pair();
      p.set('a', { status: 'started' }).ackAll();
      p.set('a', { status: 'stopped' });
      expect(p.state).to.equal('no-primary');
      clock.tick(3000);
      p.set('b', { status: 'started' });
      p.ackAll();
      expect(p.primary).to.equal('b');
      expect(p.journal('switchover-completed')[0]).to.include({ primary: 'stat-b', reason: 'process-failure', ms: 3000 });
    });

    it('lets the restarted old primary take the role back without a switchover when it is first', () => {
      const p = pair();
      p.set('a', { status: 'started' }).ackAll();
      p.set('a', { status: 'stopped' });
      p.set('a', { status: 'started', role: 'none' }).ackAll();
      expect(p.primary).to.equal('a');
      expect(p.journal('switchover-started')).to.deep.equal([]);
    });

    it('brings a restarted old primary back as backup', () => {
      const p = serving();
      p.set('a', { status: 'stopped' }).ackAll();
      p.set('a', { status: 'start-pending', role: 'none' }).set('a', { status: 'initializing' }).set('a', { status: 'started' });
      expect(p.assignments()).to.deep.equal(['stat-b=primary', 'stat-a=backup']);
    });
  });

  describe('service unavailable on both', () => {
    it('does not switch while both are unavailable; the backup that recovers first becomes primary (backup-recovered)', () => {
      const p = serving();
      p.set('b', { status: 'service-unavailable' });
      p.set('a', { status: 'service-unavailable' });
      expect(p.state).to.equal('active');
      expect(p.journal()).to.deep.equal([]);
      p.set('b', { status: 'started' }).ackAll();
      expect(p.primary).to.equal('b');
      expect(p.journal('switchover-completed')[0]).to.include({ reason: 'backup-recovered', primary: 'stat-b' });
    });

    it('keeps the primary when it recovers first', () => {
      const p = serving();
      p.set('b', { status: 'service-unavailable' }).set('a', { status: 'service-unavailable' });
      p.set('a', { status: 'started' }).set('b', { status: 'started' });
      expect(p.primary).to.equal('a');
      expect(p.journal()).to.deep.equal([]);
    });
  });

  describe('a failing promotion', () => {
    it('records switchover-failed when the backup dies during promotion, then waits with no primary', () => {
      const p = serving();
      p.set('a', { status: 'stopped' });
      p.set('b', { status: 'stopped' });
      expect(p.journal('switchover-failed')).to.have.length(1);
      expect(p.journal('switchover-failed')[0]?.message).to.contain('stat-b failed during promotion');
      expect(p.state).to.equal('no-primary');
    });

    it('still takes an acknowledgement that was waiting unread when its timer fired late (a stalled SCS)', () => {
      const p = serving();
      p.set('a', { status: 'stopped' });
      clock.tick(5000); // the timer fires; the reply is handled before the next turn of the loop
      p.ackAll();
      expect(p.primary).to.equal('b');
      expect(p.of('fence')).to.deep.equal([]);
      expect(p.journal('switchover-failed')).to.deep.equal([]);
    });

    it('treats a candidate that does not acknowledge in time as failed: switchover-failed and fenced', () => {
      const p = serving();
      p.set('a', { status: 'stopped' });
      clock.tick(4999);
      expect(p.journal('switchover-failed')).to.deep.equal([]);
      clock.tick(2); // the timeout fires at 5000; a reply already received would still count one turn later
      expect(p.journal('switchover-failed')[0]).to.include({ pair: 'stat-a', reason: 'process-failure' });
      expect(p.of('fence').map((f) => f.app)).to.deep.equal(['stat-b']);
    });

    // Found by the chaos harness (seed 104): a candidate that reported Service Unavailable while
    // its (slow) promotion was on its way was dropped for the other member, then acknowledged
    // primary anyway: two primaries.
    it('waits for a candidate that stops being healthy while its promotion is on its way', () => {
      const p = serving();
      p.set('a', { status: 'stopped' });
      p.set('b', { status: 'service-unavailable' });
      expect(p.state).to.equal('promoting');
      p.set('a', { status: 'started', role: 'none' });
      expect(p.assignments()).to.deep.equal(['stat-b=primary']); // stat-a is not promoted beside it
      p.actor.send({ type: 'role-acked', slot: 'b', role: 'primary', at: Date.now() });
      expect(p.journal('switchover-completed')[0]).to.include({ primary: 'stat-b' });
      // An unavailable primary with a started backup: switched over properly, demotion first.
      expect(p.assignments()).to.deep.equal(['stat-b=primary', 'stat-a=backup', 'stat-b=backup']);
      p.ackAll();
      expect(p.assignments().at(-1)).to.equal('stat-a=primary');
      p.ackAll();
      expect(p.primary).to.equal('a');
    });

    it('fences a candidate that stops being healthy and then does not acknowledge in time', () => {
      const p = serving();
      p.set('a', { status: 'stopped' });
      p.set('b', { status: 'service-unavailable' });
      clock.tick(5001);
      expect(p.of('fence').map((f) => f.app)).to.deep.equal(['stat-b']);
      expect(p.journal('switchover-failed')).to.have.length(1);
    });

    it('drops a candidate whose promotion is on its way once it is dead', () => {
      const p = serving();
      p.set('a', { status: 'stopped' });
      p.set('b', { status: 'stopped' });
      expect(p.state).to.equal('no-primary');
      expect(p.of('fence')).to.deep.equal([]);
    });

    it('treats a refused role as failed', () => {
      const p = serving();
      p.set('a', { status: 'stopped' });
      p.actor.send({ type: 'role-failed', slot: 'b', role: 'primary', message: 'application timeout', at: Date.now() });
      expect(p.journal('switchover-failed')[0]?.message).to.contain('application timeout');
      expect(p.of('fence').map((f) => f.app)).to.deep.equal(['stat-b']);
      expect(p.state).to.equal('no-primary');
    });
  });

  describe('flapping', () => {
    it('emits flapping after more than 3 switchovers in 60 s and stops restarting the failing member', () => {
      const p = serving();
      for (let i = 0; i < 4; i++) {
        const failing: Slot = p.primary as Slot;
        p.set(failing, { status: 'stopped' }).ackAll();
        p.set(failing, { status: 'started', role: 'none' }).ackAll();
        clock.tick(5000);
      }
      expect(p.journal('switchover-completed')).to.have.length(4);
      expect(p.journal('flapping')).to.deep.equal([{ type: 'flapping', pair: 'stat-a', switchovers: 4, windowS: 60 }]);
      expect(p.of('flapping')).to.have.length(1);
    });

    it('does not count switchovers older than the window', () => {
      const p = serving();
      for (let i = 0; i < 5; i++) {
        const failing: Slot = p.primary as Slot;
        p.set(failing, { status: 'stopped' }).ackAll();
        p.set(failing, { status: 'started', role: 'none' }).ackAll();
        clock.tick(25_000);
      }
      expect(p.journal('flapping')).to.deep.equal([]);
    });
  });

  describe('Config Server guard', () => {
    const cs = settings({ kind: 'config-server' });

    it('asks the candidate for fresh facts and blocks while it still sees the primary', () => {
      const p = serving(cs);
      p.set('a', { hostUp: false });
      expect(p.of('query-facts').map((q) => q.app)).to.deep.equal(['stat-b']);
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      expect(p.state).to.equal('blocked');
      expect(p.journal('switchover-blocked')).to.deep.equal([{
        type: 'switchover-blocked', pair: 'stat-a', candidate: 'stat-b', guard: 'config-server',
        message: 'stat-b will not take over: it still sees the primary (peer=up)',
      }]);
      expect(p.assignments()).to.deep.equal([]);
    });

    it('re-evaluates when the candidate\'s facts change, and promotes once peer is down and database up', () => {
      const p = serving(cs);
      p.set('a', { hostUp: false });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      p.set('b', { facts: { peer: 'down', database: 'up' } });
      expect(p.of('query-facts')).to.have.length(2);
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'down', database: 'up' }, at: Date.now() });
      p.ackAll();
      expect(p.primary).to.equal('b');
      expect(p.journal('switchover-completed')[0]).to.include({ reason: 'host-failure' });
    });

    it('blocks a candidate that lost its database too', () => {
      const p = serving(cs);
      p.set('a', { status: 'stopped' });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'down', database: 'down' }, at: Date.now() });
      expect(p.journal('switchover-blocked')[0]?.message).to.contain('does not reach its database');
    });

    it('goes back to the old primary if it recovers while blocked', () => {
      const p = serving(cs);
      p.set('a', { status: 'service-unavailable' });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      p.set('a', { status: 'started' });
      expect(p.state).to.equal('active');
      expect(p.primary).to.equal('a');
    });

    it('does not apply the guard to the initial assignment when the other member is known not to serve', () => {
      const p = pair(cs);
      p.set('b', { status: 'stopped' });
      p.set('a', { status: 'started', facts: { peer: 'up', database: 'up' } });
      expect(p.of('query-facts')).to.deep.equal([]);
      expect(p.assignments()).to.deep.equal(['stat-a=primary']);
    });

    // Found by the chaos harness (seed 1): a restarted SCS whose other Config Server sat behind a
    // lost LCA promoted the backup after the start window with no question asked, while that
    // backup still saw the other one serving as primary.
    it('does not promote a Config Server at start while the other one is unreachable and may serve: it asks first', () => {
      const p = pair(cs, { a: { hostUp: false } }, 'a');
      p.set('b', { status: 'started' });
      clock.tick(10_000);
      expect(p.of('query-facts').map((q) => q.app)).to.deep.equal(['stat-b']);
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      expect(p.state).to.equal('blocked');
      expect(p.assignments()).to.deep.equal([]);
      expect(p.journal('switchover-blocked')[0]).to.include({ candidate: 'stat-b', guard: 'config-server' });
    });

    it('adopts the other Config Server when it turns up serving as primary while the initial promotion is blocked', () => {
      const p = pair(cs, { a: { hostUp: false } }, 'a');
      p.set('b', { status: 'started' });
      clock.tick(10_000);
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      p.set('a', { hostUp: true, status: 'started', role: 'primary' });
      expect(p.state).to.equal('active');
      expect(p.primary).to.equal('a');
      expect(p.assignments()).to.deep.equal(['stat-b=backup']);
    });

    it('promotes at start without facts once the other Config Server turns up not serving', () => {
      const p = pair(cs, { a: { hostUp: false } }, 'a');
      p.set('b', { status: 'started' });
      clock.tick(10_000);
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      p.set('a', { hostUp: true, status: 'stopped' });
      expect(p.assignments()).to.deep.equal(['stat-b=primary']);
      p.ackAll();
      expect(p.primary).to.equal('b');
      expect(p.journal('switchover-started')).to.deep.equal([]); // still an initial assignment
    });

    // Found by the chaos harness (seed 5): once the pair had gone without a primary, a blocked
    // candidate stayed blocked for good after the old primary came back healthy, and the pair
    // machine never managed the pair again.
    it('returns to the old primary when it comes back healthy after the pair went without a primary', () => {
      const p = serving(cs);
      p.set('b', { status: 'stopped', role: 'none' });
      p.set('a', { hostUp: false });
      expect(p.state).to.equal('no-primary');
      p.set('b', { status: 'started' });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      expect(p.state).to.equal('blocked');
      p.set('a', { hostUp: true });
      expect(p.state).to.equal('active');
      expect(p.primary).to.equal('a');
      expect(p.assignments()).to.deep.equal(['stat-b=backup']);
    });

    it('gives the primary role back to a restarted old primary that comes up while the candidate is blocked', () => {
      const p = serving(cs);
      p.set('a', { hostUp: false });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      p.set('a', { hostUp: true, status: 'started', role: 'none' });
      expect(p.state).to.equal('active');
      expect(p.assignments()).to.deep.equal(['stat-a=primary']);
    });

    // Found by the chaos harness (seed 328): a candidate whose acknowledgement was lost was fenced,
    // the fence could not arrive, and the restarted old primary was made primary at once although
    // the fenced one had in fact taken the role and was still running.
    it('asks a restarted Config Server for its facts before making it primary while the other one is being fenced', () => {
      const p = serving(cs);
      p.set('a', { status: 'stopped', role: 'none' });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'down', database: 'up' }, at: Date.now() });
      expect(p.assignments()).to.deep.equal(['stat-b=primary']);
      clock.tick(5001); // no acknowledgement (and none waiting unread): fenced
      expect(p.of('fence').map((f) => f.app)).to.deep.equal(['stat-b']);
      p.set('a', { status: 'started', role: 'none' });
      expect(p.assignments()).to.deep.equal(['stat-b=primary']); // not stat-a=primary yet
      expect(p.of('query-facts').map((q) => q.app)).to.deep.equal(['stat-b', 'stat-a']);
      p.actor.send({ type: 'facts', slot: 'a', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      expect(p.state).to.equal('blocked');
      p.set('b', { status: 'stopped', role: 'none' }); // the fence went through
      expect(p.assignments()).to.deep.equal(['stat-b=primary', 'stat-a=primary']);
    });

    // Found by the chaos harness (seed 219): the fence of a candidate could not be sent (its LCA
    // was away); the member came back unchanged, was never fenced again, and, counted as fenced,
    // blocked the other Config Server's promotion for good.
    it('fences again a fenced member that is still seen running', () => {
      const p = serving(cs);
      p.set('a', { status: 'stopped', role: 'none' });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'down', database: 'up' }, at: Date.now() });
      p.actor.send({ type: 'role-failed', slot: 'b', role: 'primary', message: 'the LCA is not connected', at: Date.now() });
      expect(p.of('fence').map((f) => f.app)).to.deep.equal(['stat-b']);
      p.set('b', { hostUp: true }); // seen again, still running
      expect(p.of('fence').map((f) => f.app)).to.deep.equal(['stat-b', 'stat-b']);
      p.set('b', { status: 'stopped', role: 'none' });
      p.set('b', { status: 'started' });
      expect(p.of('fence')).to.have.length(2); // restarted: no longer fenced
    });

    // Found by the chaos harness (seed 1377): a fenced candidate whose host was then lost counted
    // as restarted; back with a stale role (its LCA had crashed before the acknowledgement), it was
    // taken as ruled out, and the other Config Server was promoted while it acted as primary.
    it('keeps a fenced member fenced while its host is lost: out of sight is not restarted', () => {
      const p = serving(cs);
      p.set('a', { status: 'stopped', role: 'none' });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'down', database: 'up' }, at: Date.now() });
      p.actor.send({ type: 'role-failed', slot: 'b', role: 'primary', message: 'link lost', at: Date.now() });
      p.set('b', { hostUp: false, status: 'unknown', role: 'none' });
      p.set('a', { status: 'started' });
      p.set('b', { hostUp: true, status: 'started', role: 'backup' }); // the role its new LCA remembers
      expect(p.of('fence').map((f) => f.app)).to.deep.equal(['stat-b', 'stat-b']);
      expect(p.assignments()).to.deep.equal(['stat-b=primary']); // stat-a is asked first, not promoted
      expect(p.of('query-facts').at(-1)?.app).to.equal('stat-a');
    });

    it('asks a candidate that could not answer again after the retry delay, journaling the block once', () => {
      const p = serving(cs);
      p.set('a', { hostUp: false });
      p.actor.send({ type: 'facts-failed', slot: 'b', message: 'no reply', at: Date.now() });
      expect(p.state).to.equal('blocked');
      clock.tick(5000);
      expect(p.of('query-facts')).to.have.length(2);
      p.actor.send({ type: 'facts-failed', slot: 'b', message: 'no reply', at: Date.now() });
      expect(p.journal('switchover-blocked')).to.have.length(1);
      clock.tick(5000);
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'down', database: 'up' }, at: Date.now() });
      expect(p.assignments()).to.deep.equal(['stat-b=primary']);
    });

    it('does not ask again a candidate that answered it sees the primary (it reports when that changes)', () => {
      const p = serving(cs);
      p.set('a', { hostUp: false });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      clock.tick(60_000);
      expect(p.of('query-facts')).to.have.length(1);
    });

    it('promotes at start once the candidate says it no longer sees the other Config Server', () => {
      const p = pair(cs, { a: { hostUp: false } }, 'a');
      p.set('b', { status: 'started' });
      clock.tick(10_000);
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'down', database: 'up' }, at: Date.now() });
      expect(p.assignments()).to.deep.equal(['stat-b=primary']);
    });
  });

  describe('roles that were not taken', () => {
    // Found by the chaos harness (seed 95): on reconnection, a Config Server pair showed the
    // other member acting as primary; the SCS demoted it and, at the same time, made its own
    // choice primary, which saw the other still primary.
    it('gives the primary role only once the other member has acknowledged its demotion', () => {
      const p = serving();
      p.set('b', { role: 'primary' });
      p.set('a', { role: 'none' });
      expect(p.assignments()).to.deep.equal(['stat-b=backup']);
      p.actor.send({ type: 'role-acked', slot: 'b', role: 'backup', at: Date.now() });
      expect(p.assignments()).to.deep.equal(['stat-b=backup', 'stat-a=primary']);
    });

    // Found by the chaos harness (seed 13): after its LCA restarted, an old primary came back
    // before its application had re-registered; the demotion failed at once and was never sent
    // again, so two members acted as primary until something else happened to the pair.
    it('assigns a failed demotion again after the retry delay, until it is acknowledged', () => {
      const p = serving();
      p.set('b', { role: 'primary' }); // the backup comes back acting as primary
      expect(p.assignments()).to.deep.equal(['stat-b=backup']);
      p.actor.send({ type: 'role-failed', slot: 'b', role: 'backup', message: 'stat-b is not connected to this LCA', at: Date.now() });
      clock.tick(4_999);
      expect(p.assignments()).to.deep.equal(['stat-b=backup']);
      clock.tick(1);
      expect(p.assignments()).to.deep.equal(['stat-b=backup', 'stat-b=backup']);
      p.ackAll();
      clock.tick(60_000);
      expect(p.assignments()).to.have.length(2);
    });
  });

  describe('hot standby', () => {
    it('promotes a lagging backup (availability first) but records unsynchronized', () => {
      const p = serving(settings({ redundancy: 'hot-standby' }));
      p.set('b', { facts: { sync: 'lagging' } });
      p.set('a', { status: 'stopped' }).ackAll();
      expect(p.journal('switchover-started')[0]).to.include({ unsynchronized: true });
      expect(p.journal('switchover-completed')[0]).to.include({ unsynchronized: true });
    });

    it('with requireSync, blocks a lagging backup and promotes it once in sync', () => {
      const p = serving(settings({ redundancy: 'hot-standby', requireSync: true }));
      p.set('b', { facts: { sync: 'lagging' } });
      p.set('a', { status: 'stopped' });
      expect(p.journal('switchover-blocked')[0]).to.include({ guard: 'sync' });
      p.set('b', { facts: { sync: 'in-sync' } }).ackAll();
      expect(p.primary).to.equal('b');
      expect(p.journal('switchover-completed')[0]).to.not.have.property('unsynchronized');
    });
  });

  describe('manual switchover', () => {
    it('switches to a started backup with reason manual, demoting the primary first', () => {
      const p = serving();
      p.actor.send({ type: 'switchover', to: 'b', at: Date.now() });
      expect(p.assignments()).to.deep.equal(['stat-a=backup']);
      p.ackAll();
      expect(p.primary).to.equal('b');
      expect(p.journal('switchover-completed')[0]).to.include({ reason: 'manual' });
    });

    it('of a Config Server pair: goes ahead when the backup no longer sees its primary and reaches its database', () => {
      const p = serving(settings({ kind: 'config-server' }));
      p.actor.send({ type: 'switchover', to: 'b', at: Date.now() });
      expect(p.of('query-facts').map((q) => q.app)).to.deep.equal(['stat-b']);
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'down', database: 'up' }, at: Date.now() });
      p.ackAll();
      expect(p.primary).to.equal('b');
      expect(p.journal('switchover-completed')[0]).to.include({ reason: 'manual', primary: 'stat-b' });
    });

    it('of a Config Server pair whose backup still sees its primary: refused, journaled once, the pair unchanged', () => {
      const p = serving(settings({ kind: 'config-server' }));
      p.actor.send({ type: 'switchover', to: 'b', at: Date.now() });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      expect(p.state).to.equal('active');
      expect(p.primary).to.equal('a');
      expect(p.journal('switchover-blocked')).to.have.length(1);
      expect(p.assignments()).to.deep.equal([]);
    });

    // Found by the chaos harness (seed 9): an operator restarting the primary of a Config Server
    // pair whose backup still saw it went back to the stopping primary, switched again at once,
    // and asked for facts in a loop that never let time pass.
    it('of a Config Server primary being stopped while the guard blocks: waits, asks once, promotes when the facts change', () => {
      const p = serving(settings({ kind: 'config-server' }));
      p.set('a', { status: 'suspending', planned: true });
      expect(p.of('query-facts').map((q) => q.app)).to.deep.equal(['stat-b']);
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'up', database: 'up' }, at: Date.now() });
      expect(p.state).to.equal('blocked');
      expect(p.of('query-facts')).to.have.length(1);
      expect(p.journal('switchover-blocked')).to.have.length(1);
      p.set('a', { status: 'stopped', planned: true });
      p.set('b', { facts: { peer: 'down', database: 'up' } });
      p.actor.send({ type: 'facts', slot: 'b', facts: { peer: 'down', database: 'up' }, at: Date.now() });
      p.ackAll();
      expect(p.primary).to.equal('b');
      expect(p.journal('switchover-completed')[0]).to.include({ reason: 'manual', primary: 'stat-b' });
    });

    it('is ignored for a target that is not started', () => {
      const p = serving();
      p.set('b', { status: 'stopped' });
      p.actor.send({ type: 'switchover', to: 'b', at: Date.now() });
      expect(p.primary).to.equal('a');
      expect(p.journal()).to.deep.equal([]);
    });
  });

  describe('desired roles', () => {
    it('shows the candidate as desired primary during a switchover', () => {
      const p = serving();
      p.set('a', { status: 'service-unavailable' });
      const ctx = p.actor.getSnapshot().context;
      expect([desiredRole(ctx, 'a'), desiredRole(ctx, 'b')]).to.deep.equal(['backup', 'primary']);
    });
  });
});
