// The application <-> LCA protocol carried in ADDP MESSAGE frames, and the environment through
// which an LCA tells the process it launched where to register and with which token.

import { z } from 'zod';
import { REPORTABLE_STATUSES, ROLES } from '../domain.js';

export const APP_ENV = {
  lcaAddress: 'MLAYER_LCA_ADDRESS',
  appName: 'MLAYER_APP_NAME',
  token: 'MLAYER_APP_TOKEN',
  addpTimeoutMs: 'MLAYER_ADDP_TIMEOUT_MS',
} as const;

/** The auth payload of an application's HELLO. */
export const appHelloAuthSchema = z.strictObject({
  scheme: z.literal('app-token'),
  app: z.string().max(128),
  token: z.string().max(256),
  pid: z.number().int().positive(),
});
export type AppHelloAuth = z.output<typeof appHelloAuthSchema>;

const facts = z.record(z.string().max(256), z.string().max(4096));

/** Application -> LCA, one-way. `state` is sent on every (re)connection. */
export const appMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('status'), status: z.enum(REPORTABLE_STATUSES) }),
  z.strictObject({ type: z.literal('facts'), facts }),
  z.strictObject({ type: z.literal('state'), status: z.enum(REPORTABLE_STATUSES), role: z.enum(ROLES), facts }),
]);
export type AppMessage = z.output<typeof appMessageSchema>;

/** LCA -> application, requests; the application's reply is the acknowledgement. */
export const appRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('set-role'), role: z.enum(ROLES) }),
  z.strictObject({ type: z.literal('query-facts') }),
  z.strictObject({ type: z.literal('suspend') }),
]);
export type AppRequest = z.output<typeof appRequestSchema>;

export const roleReplySchema = z.strictObject({ role: z.enum(ROLES) });
export const factsReplySchema = z.strictObject({ facts });
