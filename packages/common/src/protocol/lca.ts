// The SCS <-> LCA protocol carried in ADDP MESSAGE frames: what an SCS may ask an LCA, and what
// an LCA reports. Every message from the network is checked against these schemas; anything
// else closes that link.

import { z } from 'zod';
import { APP_STATUSES, ROLES } from '../domain.js';

const appName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'application names are [a-z0-9][a-z0-9-]*').max(128);
const ms = z.number().int().nonnegative();
const facts = z.record(z.string(), z.string());

/** What the LCA needs to launch an application. */
export const appSpecSchema = z.strictObject({
  name: appName,
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).default({}),
  addpTimeoutMs: ms,
  startTimeoutMs: ms,
  stopTimeoutMs: ms,
});
export type AppSpec = z.output<typeof appSpecSchema>;
export type AppSpecInput = z.input<typeof appSpecSchema>;

const epoch = z.number().int().nonnegative().optional();

export const lcaRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), proof: z.string().max(256), scs: z.string().max(128).optional(), epoch }),
  z.strictObject({ type: z.literal('start'), app: appSpecSchema, epoch }),
  z.strictObject({ type: z.literal('stop'), app: appName, graceful: z.boolean().default(false), epoch }),
  z.strictObject({ type: z.literal('kill'), app: appName, epoch }),
  z.strictObject({ type: z.literal('set-role'), app: appName, role: z.enum(ROLES), timeoutMs: ms.optional(), epoch }),
  z.strictObject({ type: z.literal('query-facts'), app: appName, timeoutMs: ms.optional(), epoch }),
  z.strictObject({ type: z.literal('snapshot'), epoch }),
  /** A newly promoted SCS claims its epoch: the LCA follows it from now on (durably). */
  z.strictObject({ type: z.literal('claim'), epoch: z.number().int().positive() }),
]);
export type LcaRequest = z.output<typeof lcaRequestSchema>;
export type LcaRequestInput = z.input<typeof lcaRequestSchema>;

/** Why an application stopped, when the LCA knows. */
export const STOP_REASONS = ['exit', 'signal', 'hang', 'link-closed', 'start-timeout', 'stop', 'kill', 'spawn-failed', 'vanished'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export const appReportSchema = z.strictObject({
  app: appName,
  status: z.enum(APP_STATUSES),
  role: z.enum(ROLES),
  pid: z.number().int().positive().nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  reason: z.enum(STOP_REASONS).nullable(),
  facts,
  /** Monotonic milliseconds on the LCA's clock when the status was entered. */
  mono: z.number(),
  /** Wall-clock time of the same moment (ISO-8601). */
  time: z.string(),
});
export type AppReport = z.output<typeof appReportSchema>;

/** An SCS connected to an LCA, and the epoch it last presented. */
export const scsSessionSchema = z.strictObject({ scs: z.string(), epoch: z.number().int().nonnegative() });
export type ScsSessionInfo = z.output<typeof scsSessionSchema>;

export const lcaMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('snapshot'),
    host: z.string(),
    /** The highest SCS epoch this LCA has seen: it executes commands only from that epoch. */
    epoch: z.number().int().nonnegative(),
    apps: z.array(appReportSchema),
    /** The SCSs authenticated on this LCA now (the SCS pair watches its peer through it). */
    scs: z.array(scsSessionSchema).default([]),
  }),
  z.strictObject({ type: z.literal('scs-sessions'), epoch: z.number().int().nonnegative(), sessions: z.array(scsSessionSchema) }),
  z.strictObject({ type: z.literal('app-status'), report: appReportSchema }),
  z.strictObject({ type: z.literal('app-role'), app: appName, role: z.enum(ROLES), mono: z.number() }),
  z.strictObject({ type: z.literal('app-facts'), app: appName, facts, mono: z.number() }),
]);
export type LcaMessage = z.output<typeof lcaMessageSchema>;
export type Snapshot = Extract<LcaMessage, { type: 'snapshot' }>;

/** Error codes an LCA answers requests with. */
export const LCA_ERRORS = {
  unauthenticated: 'EAUTH',
  unknownApp: 'EUNKNOWNAPP',
  notRunning: 'ENOTRUNNING',
  badRequest: 'EBADREQUEST',
  spawnFailed: 'ESPAWN',
  appTimeout: 'EAPPTIMEOUT',
  staleEpoch: 'ESTALEEPOCH',
} as const;
