// The direct link between the two SCSs of a pair. Each SCS listens (scs.listenPeer) and also
// connects to its peer (scs.peer.address); both ADDP links are authenticated with the shared
// secret like an LCA link. The peer counts as visible while either link is up. An SCS sends
// only on the link it opened; it receives its peer's state and journal on the other.

import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { AddpServer, type AddpSettings, type Connection, type Hello, connect as addpConnect, connectTimeoutFor } from '@mlayer/addp';
import {
  AUTH_SCHEME,
  Backoff,
  type Clock,
  type HostPort,
  type Logger,
  type TimerHandle,
  errorMessage,
  formatHostPort,
  makeNonce,
  proofFor,
  verifyProof,
} from '@mlayer/common';
import type { JournalEvent } from '../events.js';
import { LcaChallenge, NO_SECRET_PROOF } from '../lca/auth.js';
import type { ConnectFunction } from '../lca/types.js';
import { type PeerInfo, asJournalEvents, peerInfoSchema, peerMessageSchema, peerRequestSchema, syncReplySchema } from './protocol.js';

export interface PeerLinkOptions {
  readonly selfId: string;
  readonly peerId: string;
  readonly peerAddress: HostPort;
  readonly listen: HostPort;
  readonly secret: string | undefined;
  readonly addp: AddpSettings;
  readonly clock: Clock;
  readonly log: Logger;
  /** This SCS's current state, sent at authentication. */
  info(): PeerInfo;
  /** Answers the backup's `sync` requests (the primary's journal). */
  sync(since: number, limit: number): Promise<{ events: readonly JournalEvent[]; lastSeq: number; anchor: JournalEvent | null }>;
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number; readonly random?: () => number };
  /** Opens the link to the peer (default: addp's `connect`); tests inject in-memory links. */
  readonly connect?: ConnectFunction;
  /** Bind `listen` (default true); false serves only the sockets given to acceptSocket (in-memory links). */
  readonly bind?: boolean;
}

export interface PeerLinkEvents {
  /** The peer became visible (true) or invisible (false) over the direct link. */
  visible: [boolean];
  /** The peer's state, at authentication and on every change. */
  info: [PeerInfo];
  /** Journal events the primary peer streams. */
  events: [JournalEvent[]];
}

const NONCE = /^[0-9a-f]{32,128}$/;

export class PeerLink extends EventEmitter<PeerLinkEvents> {
  private readonly server: AddpServer;
  private readonly connectFn: ConnectFunction;
  private inbound: Connection | undefined;
  private outbound: Connection | undefined;
  private readonly nonces = new Map<string, string>();
  private readonly backoff: Backoff;
  private retry: TimerHandle | undefined;
  private stopped = false;
  private wasVisible = false;

  constructor(private readonly options: PeerLinkOptions) {
    super();
    const b = options.backoff ?? {};
    this.backoff = new Backoff({ initialMs: b.initialMs ?? 100, maxMs: b.maxMs ?? 2000, ...(b.random ? { random: b.random } : {}) });
    this.connectFn = options.connect ?? addpConnect;
    this.server = new AddpServer({
      name: options.selfId,
      settings: options.addp,
      clock: options.clock,
      logger: options.log,
      accept: (hello) => this.accept(hello),
    });
    this.server.on('connection', (link) => this.onInbound(link));
    this.server.on('error', (error) => options.log.error('SCS peer listener error', { error: errorMessage(error) }));
  }

  get visible(): boolean {
    return this.outbound?.state === 'open' || this.inbound?.state === 'open';
  }

  async start(): Promise<void> {
    if (this.options.bind ?? true) await this.server.listen(this.options.listen.port, this.options.listen.host);
    this.options.log.info('listening for the peer SCS', { address: formatHostPort(this.options.listen), peer: this.options.peerId });
    this.connect();
  }

  /** Serves a connection from the peer that did not come through the listener (in-memory links in the chaos harness). */
  acceptSocket(socket: Duplex & { remoteAddress?: string; remotePort?: number }): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.server.adopt(socket);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry !== undefined) this.options.clock.clearTimeout(this.retry);
    this.outbound?.close('SCS stopping');
    await this.server.close('SCS stopping');
  }

  /** Tells the peer this SCS's new state. */
  sendInfo(info: PeerInfo): void {
    this.outbound?.send({ type: 'info', info });
  }

  /** Streams journal events to the peer (when this SCS is primary). */
  sendEvents(events: readonly JournalEvent[]): boolean {
    return this.outbound?.send({ type: 'events', events }) ?? false;
  }

  /** Asks the primary peer for journal events after `since`. */
  async sync(since: number, limit = 10_000): Promise<{ events: JournalEvent[]; lastSeq: number; anchor: JournalEvent | null }> {
    const link = this.outbound;
    if (link?.state !== 'open') throw new Error('no link to the peer SCS');
    const reply = syncReplySchema.parse(await link.request({ type: 'sync', since, limit }, { timeoutMs: 10_000 }));
    const [anchor] = reply.anchor === null ? [null] : asJournalEvents([reply.anchor]);
    return { events: asJournalEvents(reply.events), lastSeq: reply.lastSeq, anchor: anchor ?? null };
  }

  private accept(hello: Hello): { auth: unknown } {
    const auth = hello.auth as { scheme?: unknown; nonce?: unknown } | undefined;
    if (auth?.scheme !== AUTH_SCHEME || typeof auth.nonce !== 'string' || !NONCE.test(auth.nonce)) {
      throw new Error('no credentials: the peer SCS must authenticate with hmac-sha256');
    }
    if (this.options.secret === undefined) return { auth: { scheme: 'none' } };
    const serverNonce = makeNonce();
    if (this.nonces.size > 64) this.nonces.clear();
    this.nonces.set(auth.nonce, serverNonce);
    return { auth: { scheme: AUTH_SCHEME, nonce: serverNonce, proof: proofFor(this.options.secret, 'server', auth.nonce, serverNonce) } };
  }

  private onInbound(link: Connection): void {
    const clientNonce = String((link.peer?.auth as { nonce?: unknown } | undefined)?.nonce ?? '');
    const serverNonce = this.nonces.get(clientNonce);
    this.nonces.delete(clientNonce);
    let authenticated = false;
    link.setRequestHandler(async (payload) => {
      const request = peerRequestSchema.parse(payload);
      if (request.type === 'auth') {
        const { secret } = this.options;
        if (secret !== undefined && (serverNonce === undefined || !verifyProof(secret, 'client', serverNonce, clientNonce, request.proof))) {
          this.options.log.error('peer SCS failed authentication: wrong secret?', { peer: link.label });
          setImmediate(() => link.close('wrong secret'));
          throw new Error('authentication failed: wrong secret');
        }
        if (request.info.id !== this.options.peerId) {
          setImmediate(() => link.close('unexpected SCS id'));
          throw new Error(`this SCS pairs with ${this.options.peerId}, not ${request.info.id}`);
        }
        authenticated = true;
        const previous = this.inbound;
        this.inbound = link;
        if (previous && previous !== link) previous.close('replaced by a newer link');
        this.emit('info', request.info);
        this.visibilityChanged();
        return this.options.info();
      }
      if (!authenticated) throw new Error('authenticate first');
      return this.options.sync(request.since, request.limit);
    });
    link.on('message', (message) => {
      if (!authenticated) return;
      const parsed = peerMessageSchema.safeParse(message);
      if (!parsed.success) {
        this.options.log.warn('peer SCS sent an unknown message; closing the link', { peer: link.label });
        link.close('unknown message');
        return;
      }
      if (parsed.data.type === 'info') this.emit('info', parsed.data.info);
      else this.emit('events', asJournalEvents(parsed.data.events));
    });
    link.once('lost', () => {
      if (this.inbound === link) this.inbound = undefined;
      this.visibilityChanged();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const { peerAddress, peerId, secret } = this.options;
    const where = `${peerId} (${formatHostPort(peerAddress)})`;
    const challenge = new LcaChallenge(secret, where, 'the peer SCS');
    this.connectFn({
      host: peerAddress.host,
      port: peerAddress.port,
      name: this.options.selfId,
      auth: challenge.hello,
      verify: (ack) => challenge.verify(ack),
      settings: this.options.addp,
      connectTimeoutMs: connectTimeoutFor(this.options.addp),
      clock: this.options.clock,
      logger: this.options.log,
      label: `scs:${peerId}`,
    })
      .then(async (link) => {
        if (this.stopped) {
          link.close('SCS stopping');
          return;
        }
        let info: PeerInfo;
        try {
          const proof = secret === undefined ? NO_SECRET_PROOF : challenge.proof();
          info = peerInfoSchema.parse(await link.request({ type: 'auth', proof, info: this.options.info() }));
        } catch (error) {
          link.close('authentication failed');
          throw error;
        }
        this.outbound = link;
        this.backoff.reset();
        link.once('lost', (lost) => {
          if (this.outbound === link) this.outbound = undefined;
          this.options.log.warn('link to the peer SCS lost', { peer: peerId, reason: lost.reason, detail: lost.message });
          this.visibilityChanged();
          this.scheduleConnect();
        });
        this.emit('info', info);
        this.visibilityChanged();
      })
      .catch((error: unknown) => {
        this.options.log.debug('cannot reach the peer SCS', { peer: peerId, error: errorMessage(error) });
        this.scheduleConnect();
      });
  }

  private scheduleConnect(): void {
    if (this.stopped || this.retry !== undefined) return;
    this.retry = this.options.clock.setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, this.backoff.next());
  }

  private visibilityChanged(): void {
    const visible = this.visible;
    if (visible === this.wasVisible) return;
    this.wasVisible = visible;
    this.emit('visible', visible);
  }
}
