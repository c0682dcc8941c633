// Mutual challenge-response on a shared secret (HMAC-SHA-256, a nonce from each side, constant-
// time comparison). Used on SCS -> LCA and SCS <-> SCS links:
//   client HELLO      { scheme, nonce: nC }
//   server HELLO_ACK  { scheme, nonce: nS, proof: HMAC(secret, "server|nC|nS") }
//   client message    { proof: HMAC(secret, "client|nS|nC") }
// Each side proves it knows the secret on a challenge the other chose; nothing is replayable.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const AUTH_SCHEME = 'hmac-sha256';

export function makeNonce(): string {
  return randomBytes(32).toString('hex');
}

/**
 * The proof `side` gives: HMAC over its role, the nonce the peer challenged it with, and its own
 * nonce. Server: (client nonce, server nonce). Client: (server nonce, client nonce).
 */
export function proofFor(secret: string | Buffer, side: 'client' | 'server', challenge: string, ownNonce: string): string {
  return createHmac('sha256', secret).update(`${side}|${challenge}|${ownNonce}`).digest('hex');
}

/** Constant-time check of the proof `side` gave for (challenge, its nonce). */
export function verifyProof(secret: string | Buffer, side: 'client' | 'server', challenge: string, ownNonce: string, proof: unknown): boolean {
  return sameToken(proofFor(secret, side, challenge, ownNonce), proof);
}

/** Constant-time equality of two tokens (launch tokens). */
export function sameToken(a: string, b: unknown): boolean {
  if (typeof b !== 'string') return false;
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
