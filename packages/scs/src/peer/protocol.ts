// The SCS <-> SCS protocol carried in ADDP MESSAGE frames. Each SCS sends only on the link it
// opened to its peer, and receives on the link its peer opened to it.

import { z } from 'zod';
import type { JournalEvent } from '../events.js';

export const SCS_ROLES = ['negotiating', 'primary', 'backup'] as const;
export type ScsPairRole = (typeof SCS_ROLES)[number];

export const peerInfoSchema = z.strictObject({
  id: z.string().max(128),
  role: z.enum(SCS_ROLES),
  /** The epoch it holds (durable); a primary acts under it. */
  epoch: z.number().int().nonnegative(),
  /** `scs.primary`: the preferred primary of the pair. */
  preferred: z.boolean(),
  lastSeq: z.number().int().nonnegative(),
  /** Its HTTP API, for operators sent to the primary. */
  apiUrl: z.string().max(512).nullable(),
  /** The epoch under which it was primary until it yielded to a higher one (a split brain), if it did. */
  yieldedFrom: z.number().int().nonnegative().nullable().default(null),
});
export type PeerInfo = z.output<typeof peerInfoSchema>;

const journalEventSchema = z.looseObject({ seq: z.number().int().positive(), time: z.string(), type: z.string() });
const eventsSchema = z.array(journalEventSchema).max(10_000);

export const peerRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), proof: z.string().max(256), info: peerInfoSchema }),
  z.strictObject({ type: z.literal('sync'), since: z.number().int().nonnegative(), limit: z.number().int().positive().max(10_000) }),
]);
export type PeerRequest = z.output<typeof peerRequestSchema>;

export const peerMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('info'), info: peerInfoSchema }),
  z.strictObject({ type: z.literal('events'), events: eventsSchema }),
]);
export type PeerMessage = z.output<typeof peerMessageSchema>;

export const syncReplySchema = z.strictObject({
  events: eventsSchema,
  lastSeq: z.number().int().nonnegative(),
  /** The primary's event at seq `since`, so the backup can tell that both journals agree up to there. */
  anchor: journalEventSchema.nullable(),
});

/** Events from the peer are trusted after authentication; the shape was checked above. */
export const asJournalEvents = (events: readonly unknown[]): JournalEvent[] => events as JournalEvent[];
