// The SCS pair of the chaos harness: scs-a runs on host-a and scs-b on host-b (the machines of
// the two LCAs, so that the split-brain guard's "LCA of the primary SCS's host" exists), each
// with the applications of solution.ts and the pair settings the command line would derive.
// Machines: every host has its LCA and applications on `host-x`, and its SCS on `host-x/scs`,
// so that the direct SCS <-> SCS link can be cut apart from everything else.

import type { HostPort } from '@mlayer/common';
import type { Solution } from '@mlayer/scs/internal';
import { type HostName, TIMING, chaosSolution } from './solution.js';

export const SCS_IDS = ['scs-a', 'scs-b'] as const;
export type ScsId = (typeof SCS_IDS)[number];

export const SCS_HOST: Readonly<Record<ScsId, HostName>> = { 'scs-a': 'host-a', 'scs-b': 'host-b' };
export const PEER_ADDRESS: Readonly<Record<ScsId, HostPort>> = {
  'scs-a': { host: '10.0.0.1', port: 5000 },
  'scs-b': { host: '10.0.0.2', port: 5000 },
};

export const peerOf = (id: ScsId): ScsId => (id === 'scs-a' ? 'scs-b' : 'scs-a');
export const scsMachine = (id: ScsId): string => `${SCS_HOST[id]}/scs`;
export const journalDir = (id: ScsId): string => `/chaos/${id}/journal`;

/** The pair's timing; takeoverDelayMs varies by seed (0, the default, and a confirming delay). */
export interface PairTiming {
  readonly negotiateWindowMs: number;
  readonly takeoverDelayMs: number;
}

/** What `mlayer scs` derives from the ADDP timeout (from-config.ts). */
export const NEGOTIATE_WINDOW_MS = Math.max(3000, 2 * TIMING.scsAddpMs + 1000);

export function pairTiming(seed: number): PairTiming {
  return { negotiateWindowMs: NEGOTIATE_WINDOW_MS, takeoverDelayMs: seed % 2 === 0 ? 0 : 1000 };
}

/** The solution as `id` is told to run it: scs-a is the preferred primary. */
export function pairSolution(id: ScsId, timing: PairTiming): Solution {
  const base = chaosSolution();
  const peer = peerOf(id);
  return {
    ...base,
    scs: {
      ...base.scs,
      id,
      journalDir: journalDir(id),
      pair: {
        peer: { id: peer, host: SCS_HOST[peer], address: PEER_ADDRESS[peer] },
        listen: PEER_ADDRESS[id],
        host: SCS_HOST[id],
        preferred: id === 'scs-a',
        negotiateWindowMs: timing.negotiateWindowMs,
        takeoverDelayMs: timing.takeoverDelayMs,
      },
    },
  };
}
