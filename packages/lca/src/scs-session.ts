// One SCS connected to this LCA. Nothing it asks is executed before it has proven it knows the
// shared secret (the third leg of the challenge-response begun in the ADDP handshake); anything
// it sends that is not a known request closes its link, and only its link.

import type { Connection } from '@mlayer/addp';
import {
  type LcaMessage,
  type LcaRequest,
  type Logger,
  type Snapshot,
  LCA_ERRORS,
  MlayerError,
  describeIssues,
  lcaRequestSchema,
  verifyProof,
} from '@mlayer/common';

export interface ScsChallenge {
  /** The nonce the SCS sent in its HELLO. */
  readonly clientNonce: string;
  /** The nonce this LCA answered with. */
  readonly serverNonce: string;
}

export interface ScsSessionDeps {
  /** The shared secret; undefined when the LCA runs without one (loopback only). */
  readonly secret: string | undefined;
  readonly challenge: ScsChallenge | undefined;
  readonly log: Logger;
  snapshot(): Snapshot;
  execute(request: Exclude<LcaRequest, { type: 'auth' | 'snapshot' | 'claim' }>, session: ScsSession): Promise<unknown>;
  /** An SCS presented this epoch (at authentication or with a claim): raise the fence, durably. */
  presentEpoch(epoch: number, session: ScsSession): Promise<void>;
  onReady(session: ScsSession): void;
  onClose(session: ScsSession): void;
}

export class ScsSession {
  private authenticated = false;
  /** The SCS id it gave when it authenticated. */
  scsId: string | undefined;
  /** The epoch it last presented. */
  epoch = 0;

  constructor(readonly link: Connection, private readonly deps: ScsSessionDeps) {
    link.setRequestHandler((payload) => this.onRequest(payload));
    link.on('message', () => this.refuse('an SCS sends requests, not one-way messages'));
    link.once('lost', (info) => {
      // Before authentication the SCS is the one that hung up: usually it refused our proof.
      if (!this.authenticated && info.local !== true) deps.log.warn('SCS link closed before it authenticated (a different secret?)', { peer: link.label, detail: info.message });
    });
    link.once('close', () => deps.onClose(this));
  }

  get ready(): boolean {
    return this.authenticated;
  }

  send(message: LcaMessage): void {
    if (this.authenticated) this.link.send(message);
  }

  private async onRequest(payload: unknown): Promise<unknown> {
    const parsed = lcaRequestSchema.safeParse(payload);
    if (!parsed.success) {
      const problem = describeIssues(parsed.error).join('; ');
      this.refuse(`malformed request: ${problem}`);
      throw new MlayerError(LCA_ERRORS.badRequest, `malformed request: ${problem}`);
    }
    const request = parsed.data;
    if (request.type === 'auth') return this.authenticate(request.proof, request.scs, request.epoch ?? 0);
    if (!this.authenticated) {
      this.refuse(`${request.type} before authentication`);
      throw new MlayerError(LCA_ERRORS.unauthenticated, 'authenticate first');
    }
    if (request.type === 'snapshot') return this.deps.snapshot();
    if (request.type === 'claim') {
      this.epoch = request.epoch;
      await this.deps.presentEpoch(request.epoch, this);
      return this.deps.snapshot();
    }
    return this.deps.execute(request, this);
  }

  private async authenticate(proof: string, scsId: string | undefined, epoch: number): Promise<Snapshot> {
    const { secret, challenge } = this.deps;
    if (secret !== undefined) {
      const valid = challenge !== undefined && verifyProof(secret, 'client', challenge.serverNonce, challenge.clientNonce, proof);
      if (!valid) {
        this.refuse('wrong secret: the SCS proof does not match');
        throw new MlayerError(LCA_ERRORS.unauthenticated, 'authentication failed: wrong secret');
      }
    }
    const first = !this.authenticated;
    this.authenticated = true;
    this.scsId = scsId;
    this.epoch = epoch;
    await this.deps.presentEpoch(epoch, this);
    if (first) {
      this.deps.log.info('SCS authenticated', { scs: scsId, peer: this.link.label, secret: secret !== undefined });
      this.deps.onReady(this);
    }
    // The reply carries the full snapshot, so an SCS learns the truth before any live report.
    return this.deps.snapshot();
  }

  private refuse(why: string): void {
    this.deps.log.warn('closing SCS link', { peer: this.link.label, scs: this.scsId, why });
    // Let the error reply go out first; then close with the reason.
    setImmediate(() => this.link.close(why));
  }
}
