// Runs the SCS-pair side of one SCS: the direct link to the peer, the role machine, and the
// journal replication (the primary streams its journal; the backup appends the same events with
// the same seqs, so that after a takeover seq continues without gap or reuse).

import { type Actor, createActor } from 'xstate';
import { type Clock, type HostPort, type Logger, type TimerHandle, errorMessage } from '@mlayer/common';
import type { AddpSettings } from '@mlayer/addp';
import type { JournalEvent } from '../events.js';
import type { Journal } from '../journal/index.js';
import type { ConnectFunction } from '../lca/types.js';
import { PeerLink } from './peer-link.js';
import type { PeerInfo, ScsPairRole } from './protocol.js';
import { type RoleEffect, roleMachine } from './role-machine.js';

export interface PeerSettings {
  readonly id: string;
  readonly preferred: boolean;
  readonly peer: { readonly id: string; readonly host: string; readonly address: HostPort };
  readonly listen: HostPort;
  readonly secret: string | undefined;
  readonly addp: AddpSettings;
  readonly negotiateWindowMs: number;
  readonly takeoverDelayMs: number;
}

export interface CoordinatorHooks {
  readonly clock: Clock;
  readonly log: Logger;
  /** Opens the link to the peer (default: addp's `connect`). */
  readonly connect?: ConnectFunction;
  /** Bind `listen` for the peer (default true); false serves only sockets given to the link's acceptSocket. */
  readonly bind?: boolean;
  journal(): Journal;
  /** Moves a journal that diverged from the primary's aside and opens a fresh one. */
  resetJournal(): Promise<void>;
  apiUrl(): string | null;
  /** Make this SCS act as primary under `epoch` (already durable). */
  promote(epoch: number, reason: string): Promise<void>;
  demote(epoch: number, reason: string): void;
  splitBrain(peer: string, epochs: Readonly<Record<string, number>>): void;
  noBrain(active: boolean): void;
}

export class ScsPairCoordinator {
  readonly link: PeerLink;
  private readonly actor: Actor<typeof roleMachine>;
  private peerInfo: PeerInfo | null = null;
  private epochValue: number;
  /** Replication work, one step at a time. */
  private chain: Promise<void> = Promise.resolve();
  private catchingUp = false;
  /**
   * The primary's epoch this backup's journal was last found to agree with (null: not checked
   * since the link came up or this SCS yielded). Streamed events are appended only then: after
   * a split brain, an event of this SCS's own could sit under the same seq as the primary's.
   */
  private agreedEpoch: number | null = null;
  /** Streamed events arrived while catching up: catch up once more when done. */
  private catchUpAgain = false;
  private retryFollow: TimerHandle | undefined;
  /** The epoch this SCS was primary under when it yielded to a higher one, for the winner to record. */
  private yieldedFrom: number | null = null;
  private readonly recordedSplits = new Set<string>();

  constructor(private readonly settings: PeerSettings, epoch: number, private readonly hooks: CoordinatorHooks) {
    this.epochValue = epoch;
    this.link = new PeerLink({
      selfId: settings.id,
      peerId: settings.peer.id,
      peerAddress: settings.peer.address,
      listen: settings.listen,
      secret: settings.secret,
      addp: settings.addp,
      clock: hooks.clock,
      log: hooks.log,
      ...(hooks.connect ? { connect: hooks.connect } : {}),
      ...(hooks.bind === undefined ? {} : { bind: hooks.bind }),
      info: () => this.info(),
      sync: async (since, limit) => {
        const journal = hooks.journal();
        const [anchor] = since > 0 ? await journal.since(since - 1, 1) : [];
        return { events: await journal.since(since, limit), lastSeq: journal.lastSeq, anchor: anchor?.seq === since ? anchor : null };
      },
    });
    this.actor = createActor(roleMachine, {
      input: { id: settings.id, preferred: settings.preferred, peerId: settings.peer.id, epoch, negotiateWindowMs: settings.negotiateWindowMs, takeoverDelayMs: settings.takeoverDelayMs },
    });
    this.actor.on('*', (effect) => this.perform(effect as RoleEffect));
    this.link.on('visible', (visible) => {
      this.actor.send({ type: 'peer-visible', visible });
      if (visible) this.followPrimary();
      else this.agreedEpoch = null;
    });
    this.link.on('info', (info) => {
      this.peerInfo = info;
      this.actor.send({ type: 'peer-info', info });
      this.recordYield(info);
      this.followPrimary();
    });
    this.link.on('events', (events) => this.replicate(events));
  }

  get role(): ScsPairRole {
    const value = this.actor.getSnapshot().value;
    return typeof value === 'string' ? (value as ScsPairRole) : 'backup';
  }

  get epoch(): number {
    return this.epochValue;
  }

  /** Not narrowed by TypeScript like `role`: the role may change across an await. */
  private isPrimary(): boolean {
    return this.role === 'primary';
  }

  /** The highest epoch this SCS knows of (the one a backup follows). */
  get highest(): number {
    return Math.max(this.epochValue, this.actor.getSnapshot().context.highest);
  }

  get peer(): PeerInfo | null {
    return this.peerInfo;
  }

  get peerVisible(): boolean {
    return this.link.visible;
  }

  info(): PeerInfo {
    return {
      id: this.settings.id,
      role: this.role,
      epoch: this.epochValue,
      preferred: this.settings.preferred,
      lastSeq: this.hooks.journal().lastSeq,
      apiUrl: this.hooks.apiUrl(),
      yieldedFrom: this.yieldedFrom,
    };
  }

  async start(): Promise<void> {
    this.actor.start();
    await this.link.start();
  }

  async stop(): Promise<void> {
    if (this.retryFollow !== undefined) this.hooks.clock.clearTimeout(this.retryFollow);
    this.actor.stop();
    await this.link.stop();
  }

  /** Whether this SCS reaches any LCA (a backup that reaches nothing must not promote). */
  observeLcas(any: boolean): void {
    this.actor.send({ type: 'lcas', any });
  }

  /** What this SCS sees of the LCA on the peer SCS's host. */
  observePeerHost(up: boolean, sessions: readonly { scs: string }[]): void {
    this.actor.send({ type: 'peer-host', up, peerConnected: sessions.some((s) => s.scs === this.settings.peer.id) });
  }

  observeEpoch(epoch: number, source: string): void {
    if (epoch > this.epochValue) this.actor.send({ type: 'epoch-seen', epoch, source });
  }

  /** Tells the peer about a change of this SCS's state. */
  announce(): void {
    this.link.sendInfo(this.info());
  }

  /** The primary streams each journaled event to the backup. */
  stream(event: JournalEvent): void {
    if (this.role === 'primary') this.link.sendEvents([event]);
  }

  private perform(effect: RoleEffect): void {
    const { hooks } = this;
    switch (effect.type) {
      case 'promote':
        this.epochValue = effect.epoch;
        hooks.log.warn('SCS promoting itself', { epoch: effect.epoch, reason: effect.reason });
        hooks.promote(effect.epoch, effect.reason).then(
          () => this.announce(),
          (error: unknown) => hooks.log.error('promotion failed', { error: errorMessage(error) }),
        );
        return;
      case 'demote':
        this.yieldedFrom = this.epochValue; // demotion only ever happens to a primary
        this.epochValue = Math.max(this.epochValue, effect.epoch);
        this.agreedEpoch = null;
        hooks.demote(effect.epoch, effect.reason);
        this.announce();
        this.followPrimary();
        return;
      case 'split-brain':
        hooks.splitBrain(effect.peer, effect.epochs);
        return;
      case 'no-brain':
        hooks.noBrain(effect.active);
        return;
    }
  }

  /** A backup that sees a primary peer catches up with its journal. */
  private followPrimary(): void {
    if (this.role === 'primary' || this.peerInfo?.role !== 'primary' || !this.link.visible || this.catchingUp) return;
    this.catchingUp = true;
    this.chain = this.chain.then(() => this.catchUp()).then(
      () => {
        this.catchingUp = false;
        if (this.catchUpAgain) {
          this.catchUpAgain = false;
          this.followPrimary();
        }
      },
      (error: unknown) => {
        this.catchingUp = false;
        this.hooks.log.warn('journal replication from the primary SCS failed; retrying', { error: errorMessage(error) });
        if (this.retryFollow !== undefined) return;
        this.retryFollow = this.hooks.clock.setTimeout(() => {
          this.retryFollow = undefined;
          this.followPrimary();
        }, 500);
      },
    );
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      if (this.role === 'primary') return;
      const journal = this.hooks.journal();
      const epoch = this.peerInfo?.epoch ?? null;
      const reply = await this.link.sync(journal.lastSeq);
      // Seed 9 of the SCS-pair chaos harness: promoted while the request was out, this SCS's
      // journal is the primary's now; setting it aside (or appending to it) would lose events.
      if (this.isPrimary()) return;
      const [mine] = journal.lastSeq > 0 ? await journal.since(journal.lastSeq - 1, 1) : [];
      const agrees = journal.lastSeq === 0 || (reply.anchor !== null && mine !== undefined && reply.anchor.time === mine.time && reply.anchor.type === mine.type);
      if (reply.lastSeq < journal.lastSeq || !agrees) {
        this.hooks.log.warn('this journal has events the primary SCS does not (after a split brain): setting it aside', { mine: journal.lastSeq, primary: reply.lastSeq });
        await this.hooks.resetJournal();
        continue;
      }
      if (reply.events.length === 0) {
        this.agreedEpoch = epoch;
        return;
      }
      await this.hooks.journal().appendReplicated(reply.events);
    }
  }

  /** The winner of a split brain records it when the loser tells it under which epoch it was primary. */
  private recordYield(info: PeerInfo): void {
    if (this.role !== 'primary' || info.yieldedFrom === null || info.yieldedFrom >= this.epochValue) return;
    const key = `${info.id}@${info.yieldedFrom}`;
    if (this.recordedSplits.has(key)) return;
    this.recordedSplits.add(key);
    this.hooks.splitBrain(info.id, { [this.settings.id]: this.epochValue, [info.id]: info.yieldedFrom });
  }

  private replicate(events: JournalEvent[]): void {
    if (this.role === 'primary' || events.length === 0) return;
    if (this.agreedEpoch === null || this.agreedEpoch !== this.peerInfo?.epoch) {
      // Not yet known to agree with this primary's journal: the catch-up fetches these too.
      if (this.catchingUp) this.catchUpAgain = true;
      this.followPrimary();
      return;
    }
    this.chain = this.chain.then(async () => {
      if (this.role === 'primary') return; // promoted since the events arrived
      const journal = this.hooks.journal();
      const first = events[0] as JournalEvent;
      if (first.seq > journal.lastSeq + 1) {
        this.followPrimary(); // a gap: ask for what is missing
        return;
      }
      await journal.appendReplicated(events);
    }).catch((error: unknown) => {
      this.hooks.log.warn('cannot apply replicated events', { error: errorMessage(error) });
    });
  }
}
