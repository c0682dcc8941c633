// The test playing the SCS: an ADDP link to an LCA with the mutual HMAC challenge-response,
// the snapshot, and every report the LCA sends afterwards.

import { connect, type Connection } from '@mlayer/addp';
import { AUTH_SCHEME, type LcaMessage, type LcaRequestInput, type Snapshot, lcaMessageSchema, makeNonce, proofFor, verifyProof } from '@mlayer/common';
import { waitFor } from './wait.js';

export interface TestScs {
  readonly link: Connection;
  readonly snapshot: Snapshot;
  /** Every message received after authentication, in order. */
  readonly messages: LcaMessage[];
  request(request: LcaRequestInput, timeoutMs?: number): Promise<unknown>;
  /** Resolves with the first message (past or future) that matches. */
  waitForMessage<T extends LcaMessage>(what: string, match: (m: LcaMessage) => m is T, timeoutMs?: number): Promise<T>;
  close(): void;
}

export async function connectAsScs(port: number, secret: string | undefined, options: { timeoutMs?: number; name?: string } = {}): Promise<TestScs> {
  const clientNonce = makeNonce();
  let serverNonce = '';
  const link = await connect({
    host: '127.0.0.1',
    port,
    name: options.name ?? 'test-scs',
    auth: { scheme: AUTH_SCHEME, nonce: clientNonce },
    settings: { timeoutMs: options.timeoutMs ?? 0, remoteTimeoutMs: options.timeoutMs ?? 0, trace: 'off' },
    verify: (ack) => {
      const auth = ack.auth as { nonce?: string; proof?: string } | undefined;
      if (secret === undefined) return;
      if (!auth?.nonce || !verifyProof(secret, 'server', clientNonce, auth.nonce, auth.proof)) throw new Error('LCA proof does not match');
      serverNonce = auth.nonce;
    },
  });
  const messages: LcaMessage[] = [];
  link.on('message', (m) => messages.push(lcaMessageSchema.parse(m)));
  const proof = secret === undefined ? 'none' : proofFor(secret, 'client', serverNonce, clientNonce);
  const snapshot = (await link.request({ type: 'auth', proof, scs: options.name ?? 'test-scs' })) as Snapshot;
  return {
    link,
    snapshot,
    messages,
    request: (request, timeoutMs) => link.request(request, timeoutMs === undefined ? {} : { timeoutMs }),
    waitForMessage: (what, match, timeoutMs = 15_000) =>
      waitFor(what, () => messages.find(match), { timeoutMs, events: [[link, 'message']] }),
    close: () => link.close('test done'),
  };
}

type StatusMessage = Extract<LcaMessage, { type: 'app-status' }>;

export const statusOf = (app: string, status: string) => (m: LcaMessage): m is StatusMessage =>
  m.type === 'app-status' && m.report.app === app && m.report.status === status;

/** The sequence of statuses reported for `app`, in order. */
export function statusesOf(scs: TestScs, app: string): string[] {
  return scs.messages.filter((m): m is StatusMessage => m.type === 'app-status' && m.report.app === app).map((m) => m.report.status);
}
