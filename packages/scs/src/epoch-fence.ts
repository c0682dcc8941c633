// What the SCS does with the epochs its LCAs report (CONTRACT.md section 7). A primary of an SCS
// pair claims its epoch on every LCA, and claims again on an LCA that shows a lower one. Any SCS
// of a pair learns a higher epoch from an LCA's snapshot, its sessions report, the answer to a
// claim or a command refused as stale, and its role machine demotes it. A single SCS has no one
// to fence: it takes up the epoch of LCAs that followed a pair, unless another SCS is connected.

import { type Logger, type Snapshot, errorMessage } from '@mlayer/common';
import type { Host } from './host.js';
import type { ScsPairCoordinator } from './peer/coordinator.js';

export interface EpochFenceDeps {
  readonly log: Logger;
  /** This SCS's id (its sessions on the LCAs carry it). */
  readonly selfId: string;
  /** The epoch this SCS acts (or last acted) under. */
  epoch(): number;
  isPrimary(): boolean;
  /** Set for an SCS pair. */
  coordinator(): ScsPairCoordinator | undefined;
  /** A single SCS takes up `epoch`: commands carry it from now on, and it is saved. */
  takeUp(epoch: number): void;
}

export class EpochFence {
  /** Hosts whose LCA refused a command as stale, while this SCS asks it for its epoch. */
  private readonly checking = new Set<string>();

  constructor(private readonly deps: EpochFenceDeps) {}

  /** Raises the LCA's fence to `epoch`: from then on it refuses the commands of older epochs. */
  claim(host: Host, epoch: number): void {
    host.link.claim(epoch).then(
      (snapshot) => this.deps.coordinator()?.observeEpoch(snapshot.epoch, `the LCA of ${host.name}`),
      // A link that drops presents the epoch again when it reconnects; the LCA answers a claim
      // only once its fence is durable, and tells every SCS then even if this reply is late.
      (error: unknown) => this.deps.log.warn('cannot claim the epoch on an LCA', { host: host.name, epoch, error: errorMessage(error) }),
    );
  }

  /** The snapshot of a (re)connected LCA. */
  snapshot(host: Host, snapshot: Snapshot): void {
    const coordinator = this.deps.coordinator();
    if (!coordinator) {
      if (snapshot.epoch > this.deps.epoch()) this.takeUp(host, snapshot.epoch, snapshot.scs);
      return;
    }
    coordinator.observeEpoch(snapshot.epoch, `the LCA of ${host.name}`);
    // Seed 3 of the SCS-pair chaos harness: a link that was authenticating while this SCS was
    // promoted presented no epoch and got no claim, and its LCA went on following the old one.
    if (this.deps.isPrimary() && snapshot.epoch < this.deps.epoch()) this.claim(host, this.deps.epoch());
  }

  /** An LCA's report of the SCS sessions it holds and the epoch it follows. */
  sessions(host: Host, epoch: number, sessions: readonly { scs: string }[]): void {
    const coordinator = this.deps.coordinator();
    if (coordinator) coordinator.observeEpoch(epoch, `the LCA of ${host.name}`);
    // A single SCS refused while another SCS was connected: that one has gone now.
    else if (epoch > this.deps.epoch() && !sessions.some((s) => s.scs !== this.deps.selfId)) this.takeUp(host, epoch, sessions);
  }

  /** An LCA refused a command as of an older epoch: learn the epoch it follows (and so demote). */
  fenced(host: Host): void {
    if (this.checking.has(host.name)) return;
    this.checking.add(host.name);
    const { log } = this.deps;
    host.link.snapshot().then(
      (snapshot) => {
        log.warn('the LCA refused a command of this SCS as stale', { host: host.name, epoch: this.deps.epoch(), lcaEpoch: snapshot.epoch });
        const coordinator = this.deps.coordinator();
        if (coordinator) coordinator.observeEpoch(snapshot.epoch, `the LCA of ${host.name}`);
        else if (snapshot.epoch > this.deps.epoch()) log.error('an LCA follows the epoch of another SCS than this single one: a second SCS is acting on these hosts', { host: host.name, lcaEpoch: snapshot.epoch });
      },
      (error: unknown) => log.warn('cannot ask the LCA for its epoch', { host: host.name, error: errorMessage(error) }),
    ).finally(() => this.checking.delete(host.name));
  }

  /**
   * A single SCS on an LCA that followed an SCS pair (a pair made single again, a new journal
   * directory) takes up its epoch rather than being refused for good — unless another SCS is
   * connected to that LCA: the epoch may be its own, still in use, and taking it up would let
   * both command the same applications.
   */
  private takeUp(host: Host, epoch: number, sessions: readonly { scs: string }[]): void {
    const others = sessions.filter((s) => s.scs !== this.deps.selfId).map((s) => s.scs);
    if (others.length > 0) {
      this.deps.log.error('an LCA follows the epoch of another SCS that is connected to it: this single SCS will not command it', { host: host.name, lcaEpoch: epoch, epoch: this.deps.epoch(), others });
      return;
    }
    this.deps.log.warn('a single SCS takes up the epoch its LCAs follow', { host: host.name, from: this.deps.epoch(), to: epoch });
    this.deps.takeUp(epoch);
  }
}
