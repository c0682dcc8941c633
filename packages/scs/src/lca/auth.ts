// The SCS's half of the mutual challenge-response with an LCA (protocol/auth.ts), for one
// connection attempt: the HELLO payload, the check of the LCA's proof in its HELLO_ACK, and the
// proof this SCS then sends in its `auth` request. No I/O here.

import type { HelloAck } from '@mlayer/addp';
import { AUTH_SCHEME, makeNonce, proofFor, verifyProof } from '@mlayer/common';
import { LcaAuthError } from './errors.js';

const NONCE = /^[0-9a-f]{32,128}$/;

/** What an SCS sends as proof to an LCA that runs without a secret (the LCA ignores it). */
export const NO_SECRET_PROOF = 'none';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class LcaChallenge {
  /** This SCS's nonce: the challenge the LCA must answer in its HELLO_ACK. */
  readonly nonce = makeNonce();
  private refusal: LcaAuthError | undefined;
  private serverNonce: string | undefined;

  /** `where` names the peer in error messages, after `noun` (e.g. "the LCA of" + "host h1 (addr)"). */
  constructor(private readonly secret: string | undefined, where: string, noun = 'the LCA of') {
    this.where = where;
    this.noun = noun;
  }

  private readonly where: string;
  private readonly noun: string;

  /** Why `verify` refused the LCA, if it did (the handshake error only carries the message). */
  get failure(): LcaAuthError | undefined {
    return this.refusal;
  }

  /** The `auth` payload of the HELLO. */
  get hello(): { readonly scheme: typeof AUTH_SCHEME; readonly nonce: string } {
    return { scheme: AUTH_SCHEME, nonce: this.nonce };
  }

  /**
   * Checks the LCA's HELLO_ACK; throws LcaAuthError when the LCA did not prove it knows our
   * secret. Nothing derived from the secret is sent to an LCA that failed this check.
   */
  verify(ack: HelloAck): void {
    try {
      this.check(ack);
    } catch (error) {
      if (error instanceof LcaAuthError) this.refusal = error;
      throw error;
    }
  }

  /** The proof for the `auth` request (after `verify` accepted the HELLO_ACK). */
  proof(): string {
    if (this.secret === undefined) return NO_SECRET_PROOF;
    if (this.serverNonce === undefined) throw new LcaAuthError(`no verified challenge from ${this.noun} ${this.where}`);
    return proofFor(this.secret, 'client', this.serverNonce, this.nonce);
  }

  private check(ack: HelloAck): void {
    const auth = isRecord(ack.auth) ? ack.auth : {};
    if (this.secret === undefined) {
      if (auth.scheme === 'none') return;
      if (auth.scheme === AUTH_SCHEME) {
        throw new LcaAuthError(`${this.noun} ${this.where} requires a shared secret, but this SCS has none: set scs.lcaSecretFile to the LCA's secret`);
      }
      throw new LcaAuthError(`${this.noun} ${this.where} answered with an unknown authentication scheme ${JSON.stringify(auth.scheme)}`);
    }
    if (auth.scheme === 'none') {
      throw new LcaAuthError(`${this.noun} ${this.where} runs without a secret, but this SCS has one: start the LCA with --secret-file holding the same secret`);
    }
    if (auth.scheme !== AUTH_SCHEME || typeof auth.nonce !== 'string' || !NONCE.test(auth.nonce)) {
      throw new LcaAuthError(`${this.noun} ${this.where} answered without a valid ${AUTH_SCHEME} challenge`);
    }
    if (!verifyProof(this.secret, 'server', this.nonce, auth.nonce, auth.proof)) {
      throw new LcaAuthError(`wrong secret: the proof of ${this.noun} ${this.where} does not match this SCS's secret; give both the same secret`);
    }
    this.serverNonce = auth.nonce;
  }
}
