// Which SCS of a pair is primary, as a pure xstate machine. Seed 003: the backup does not take
// over while it can still detect the primary SCS; it promotes only when it has lost the direct
// link to it AND the LCA of the primary SCS's host no longer shows it (the LCA is lost, or reports
// that the primary SCS is gone from it). Every promotion takes a new epoch; a primary that learns
// of a higher epoch yields at once; two primaries seen at once is a split brain: the lower epoch
// yields. A backup that sees neither its peer nor any LCA raises `no-brain` and does nothing.

import { assign, enqueueActions, setup } from 'xstate';
import type { PeerInfo } from './protocol.js';

export interface RoleInput {
  readonly id: string;
  readonly preferred: boolean;
  readonly peerId: string;
  /** The durable epoch this SCS holds. */
  readonly epoch: number;
  readonly negotiateWindowMs: number;
  readonly takeoverDelayMs: number;
}

export interface RoleContext extends RoleInput {
  readonly highest: number;
  readonly peerVisible: boolean;
  readonly peer: PeerInfo | null;
  /** This SCS's link to the LCA of the peer SCS's host. */
  readonly peerHostUp: boolean;
  /** That LCA reports the peer SCS connected to it. */
  readonly peerOnItsHost: boolean;
  readonly anyLca: boolean;
  readonly noBrain: boolean;
  /**
   * Whether the peer was detected (directly or on its host's LCA) since this SCS last yielded to a
   * higher epoch. A demoted SCS must see its rival before it may ever take over from it: without
   * this, two SCSs that cannot see each other would outbid each other's epochs forever.
   */
  readonly peerSeenSinceYield: boolean;
}

export type RoleEvent =
  | { readonly type: 'peer-visible'; readonly visible: boolean }
  | { readonly type: 'peer-info'; readonly info: PeerInfo }
  | { readonly type: 'peer-host'; readonly up: boolean; readonly peerConnected: boolean }
  | { readonly type: 'lcas'; readonly any: boolean }
  | { readonly type: 'epoch-seen'; readonly epoch: number; readonly source: string };

export type RoleEffect =
  | { readonly type: 'promote'; readonly epoch: number; readonly reason: string }
  | { readonly type: 'demote'; readonly epoch: number; readonly reason: string }
  | { readonly type: 'split-brain'; readonly peer: string; readonly epochs: Readonly<Record<string, number>> }
  | { readonly type: 'no-brain'; readonly active: boolean };

type Ctx = { context: RoleContext; event: RoleEvent };

/** The deterministic tie-break: the configured primary first, then the lower id. */
export function winsTieBreak(self: { id: string; preferred: boolean }, peer: { id: string; preferred: boolean }): boolean {
  if (self.preferred !== peer.preferred) return self.preferred;
  return self.id < peer.id;
}

/**
 * The epoch `self` takes when it promotes, above every epoch it knows of (`above`). The two SCSs
 * of a pair draw from disjoint epochs (the lower id the odd ones, the other the even ones): two
 * SCSs that promote without hearing of each other's epoch (a partition, a restart with the
 * epoch it last held) would otherwise both act under the same one, and the LCAs, which fence
 * only lower epochs, would obey both.
 */
export function nextEpoch(above: number, selfId: string, peerId: string): number {
  const parity = selfId < peerId ? 1 : 0;
  return above + 1 + ((above + 1) % 2 === parity ? 0 : 1);
}

/** The split-brain guard of seed 003: the primary SCS can no longer be detected by any path. */
export function primaryPeerUndetectable(c: Pick<RoleContext, 'peerVisible' | 'peerHostUp' | 'peerOnItsHost'>): boolean {
  return !c.peerVisible && (!c.peerHostUp || !c.peerOnItsHost);
}

function mayTakeOver(c: RoleContext): boolean {
  return primaryPeerUndetectable(c) && c.anyLca && c.peerSeenSinceYield;
}

const peerFacts = (c: RoleContext) => ({ id: c.peerId, preferred: c.peer?.preferred ?? false });

const guards = {
  peerIsPrimary: ({ context }: Ctx) => context.peerVisible && context.peer?.role === 'primary',
  peerYields: ({ context }: Ctx) =>
    context.peerVisible && context.peer !== null &&
    (context.peer.role === 'backup' || (context.peer.role === 'negotiating' && winsTieBreak(context, peerFacts(context)))),
  peerWins: ({ context }: Ctx) =>
    context.peerVisible && context.peer !== null && context.peer.role === 'negotiating' && !winsTieBreak(context, peerFacts(context)),
  mayTakeOver: ({ context }: Ctx) => mayTakeOver(context),
  mayTakeOverNow: ({ context }: Ctx) => mayTakeOver(context) && context.takeoverDelayMs === 0,
  mayNotTakeOver: ({ context }: Ctx) => !mayTakeOver(context),
  bothBackupAndIWin: ({ context }: Ctx) =>
    context.peerVisible && context.peer?.role === 'backup' && winsTieBreak(context, peerFacts(context)),
  higherEpochSeen: ({ context, event }: Ctx) => event.type === 'epoch-seen' && event.epoch > context.epoch,
  rivalWins: ({ context, event }: Ctx) => {
    if (event.type !== 'peer-info' || event.info.role !== 'primary') return false;
    return event.info.epoch > context.epoch || (event.info.epoch === context.epoch && !winsTieBreak(context, event.info));
  },
  rivalPrimary: ({ event }: Ctx) => event.type === 'peer-info' && event.info.role === 'primary',
};

export const roleMachine = setup({
  types: { context: {} as RoleContext, events: {} as RoleEvent, input: {} as RoleInput, emitted: {} as RoleEffect },
  guards,
  delays: {
    negotiateWindow: ({ context }) => context.negotiateWindowMs,
    takeoverDelay: ({ context }) => context.takeoverDelayMs,
  },
  actions: {
    observe: assign(({ context, event }) => {
      switch (event.type) {
        case 'peer-visible':
          return { peerVisible: event.visible };
        case 'peer-info':
          return { peer: event.info, highest: Math.max(context.highest, event.info.epoch) };
        case 'peer-host':
          return { peerHostUp: event.up, peerOnItsHost: event.up && event.peerConnected };
        case 'lcas':
          return { anyLca: event.any };
        case 'epoch-seen':
          return { highest: Math.max(context.highest, event.epoch) };
      }
    }),
    trackPeerSeen: assign(({ context }) => (context.peerVisible || context.peerOnItsHost ? { peerSeenSinceYield: true } : {})),
    trackNoBrain: enqueueActions(({ context, enqueue }) => {
      const noBrain = !context.peerVisible && !context.anyLca;
      if (noBrain === context.noBrain) return;
      enqueue.assign({ noBrain });
      enqueue.emit({ type: 'no-brain', active: noBrain });
    }),
    promote: enqueueActions(({ context, enqueue }, params: { reason: string }) => {
      const epoch = nextEpoch(Math.max(context.epoch, context.highest, context.peer?.epoch ?? 0), context.id, context.peerId);
      enqueue.assign({ epoch, highest: epoch });
      enqueue.emit({ type: 'promote', epoch, reason: params.reason });
    }),
    demote: enqueueActions(({ context, event, enqueue }) => {
      const epoch = Math.max(context.epoch, context.highest, event.type === 'peer-info' ? event.info.epoch : 0, event.type === 'epoch-seen' ? event.epoch : 0);
      const reason = event.type === 'epoch-seen' ? `${event.source} follows epoch ${event.epoch}` : `the peer SCS ${context.peerId} is primary with epoch ${epoch}`;
      enqueue.assign({ epoch, highest: epoch, peerSeenSinceYield: false });
      enqueue.emit({ type: 'demote', epoch, reason });
    }),
    splitBrain: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'peer-info') return;
      enqueue.emit({ type: 'split-brain', peer: event.info.id, epochs: { [context.id]: context.epoch, [event.info.id]: event.info.epoch } });
    }),
  },
}).createMachine({
  id: 'role',
  context: ({ input }) => ({
    ...input,
    highest: input.epoch,
    peerVisible: false,
    peer: null,
    peerHostUp: false,
    peerOnItsHost: false,
    anyLca: false,
    noBrain: false,
    peerSeenSinceYield: true,
  }),
  initial: 'negotiating',
  on: { '*': { actions: ['observe', 'trackPeerSeen', 'trackNoBrain'] } },
  states: {
    negotiating: {
      always: [
        { guard: 'peerIsPrimary', target: 'backup' },
        { guard: 'peerYields', target: 'primary', actions: { type: 'promote', params: { reason: 'the peer SCS yields the tie-break' } } },
        { guard: 'peerWins', target: 'backup' },
      ],
      after: {
        negotiateWindow: [
          { guard: 'mayTakeOver', target: 'primary', actions: { type: 'promote', params: { reason: 'no peer SCS detected at start' } } },
          { target: 'backup' },
        ],
      },
    },
    backup: {
      initial: 'watching',
      always: [{ guard: 'bothBackupAndIWin', target: 'primary', actions: { type: 'promote', params: { reason: 'both SCSs were backup' } } }],
      states: {
        watching: {
          always: [
            { guard: 'mayTakeOverNow', target: '#role.primary', actions: { type: 'promote', params: { reason: 'lost both the peer SCS link and the LCA of its host' } } },
            { guard: 'mayTakeOver', target: 'confirming' },
          ],
        },
        confirming: {
          always: [{ guard: 'mayNotTakeOver', target: 'watching' }],
          after: {
            takeoverDelay: { target: '#role.primary', actions: { type: 'promote', params: { reason: 'lost both the peer SCS link and the LCA of its host' } } },
          },
        },
      },
    },
    primary: {
      on: {
        'epoch-seen': [{ guard: 'higherEpochSeen', target: 'backup', actions: ['observe', 'demote', 'trackPeerSeen'] }, { actions: 'observe' }],
        'peer-info': [
          { guard: 'rivalWins', target: 'backup', actions: ['observe', 'splitBrain', 'demote', 'trackPeerSeen'] },
          { guard: 'rivalPrimary', actions: ['observe', 'splitBrain'] },
          { actions: 'observe' },
        ],
      },
    },
  },
});
