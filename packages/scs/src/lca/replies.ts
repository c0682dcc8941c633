// Checking what an LCA answers against the protocol schemas: anything else is an LcaProtocolError
// (and the link owner closes the link, as for any invalid message from the network).

import {
  type AppReport,
  type LcaMessage,
  type Role,
  type Snapshot,
  appReportSchema,
  describeIssues,
  factsReplySchema,
  lcaMessageSchema,
  roleReplySchema,
} from '@mlayer/common';
import { LcaProtocolError } from './errors.js';

type Issues = Parameters<typeof describeIssues>[0];
type Parsed<T> = { success: true; data: T } | { success: false; error: Issues };
interface Schema<T> {
  safeParse(value: unknown): Parsed<T>;
}

function parse<T>(schema: Schema<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new LcaProtocolError(`invalid ${what} from the LCA: ${describeIssues(parsed.error).join('; ')}`);
}

export function parseLcaMessage(value: unknown): LcaMessage {
  return parse(lcaMessageSchema, value, 'message');
}

/** The reply to `auth` and `snapshot`: the LCA's full state. */
export function parseSnapshot(value: unknown): Snapshot {
  const message = parse(lcaMessageSchema, value, 'snapshot');
  if (message.type !== 'snapshot') throw new LcaProtocolError(`invalid snapshot from the LCA: got a ${message.type} message`);
  return message;
}

/** The reply to `start`, `stop` and `kill`: the application's report. */
export function parseAppReport(value: unknown, request: string): AppReport {
  return parse(appReportSchema, value, `reply to ${request}`);
}

export function parseRoleReply(value: unknown): Role {
  return parse(roleReplySchema, value, 'reply to set-role').role;
}

export function parseFactsReply(value: unknown): Record<string, string> {
  return parse(factsReplySchema, value, 'reply to query-facts').facts;
}
