// One ADDP link over a byte stream: the handshake, keep-alive polling, one-way messages and
// requests with correlated replies. It emits exactly one `lost` (with a reason) and then one
// `close`; every timer it starts is cleared by then.

import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { type Clock, type Logger, type TimerHandle, errorCode, errorMessage, silentLogger, systemClock } from '@mlayer/common';
import { FrameDecoder, decodeJsonPayload, encodeFrame, encodeJsonFrame } from './codec.js';
import { AddpError, ProtocolError } from './errors.js';
import { PendingRequests } from './requests.js';
import { type Frame, FrameFlags, FrameType, frameTypeName } from './frame.js';
import { Keepalive } from './keepalive.js';
import { type AcceptHook, type PeerInfo, type VerifyHook, answerHello, checkHelloAck, helloFor } from './handshake.js';
import { type AddpSettings, DEFAULT_SETTINGS, checkSettings } from './settings.js';
import { WriteQueue } from './write-queue.js';

export type LostReason = 'timeout' | 'closed' | 'error' | 'protocol';

export interface LostInfo {
  readonly reason: LostReason;
  readonly message: string;
  readonly error?: Error;
  /** True when this side closed the link on purpose. */
  readonly local?: boolean;
}

export type ConnectionState = 'handshaking' | 'open' | 'closed';

export type RequestHandler = (payload: unknown, connection: Connection) => unknown;

export interface ConnectionOptions {
  readonly socket: Duplex;
  readonly role: 'client' | 'server';
  readonly settings?: AddpSettings;
  /** This side's name, sent in HELLO / HELLO_ACK. */
  readonly name?: string;
  /** Client: auth payload for the HELLO. */
  readonly auth?: unknown;
  /** Server: approves a HELLO (throw to refuse it; the message is sent to the peer). */
  readonly accept?: AcceptHook;
  /** Client: checks the HELLO_ACK (throw to refuse it). */
  readonly verify?: VerifyHook;
  readonly handshakeTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly maxFrameSize?: number;
  readonly maxQueuedBytes?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How logs name the peer (default: its address). */
  readonly label?: string;
  /**
   * Answers the peer's requests from the very first frame after the handshake (a request can
   * arrive in the same read as the HELLO_ACK, before `connect()` has even resolved).
   */
  readonly onRequest?: RequestHandler;
}

export interface ConnectionEvents {
  open: [PeerInfo];
  message: [unknown];
  /** Round-trip time of a POLL/POLL_ACK, in seconds. */
  rtt: [number];
  lost: [LostInfo];
  close: [];
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export class Connection extends EventEmitter<ConnectionEvents> {
  readonly label: string;
  private status: ConnectionState = 'handshaking';
  private peerInfo: PeerInfo | undefined;
  private readonly socket: Duplex;
  private readonly options: ConnectionOptions;
  private readonly settings: AddpSettings;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly decoder: FrameDecoder;
  private readonly writer: WriteQueue;
  private keepalive: Keepalive | undefined;
  private handshakeTimer: TimerHandle | undefined;
  /** Frames that arrive while the client still verifies the HELLO_ACK. */
  private deferred: Frame[] | undefined;
  private readonly requests: PendingRequests;
  private pollId = 0;
  private pollSentAt = 0;
  private lastRttSeconds: number | undefined;
  private handler: RequestHandler | undefined;
  private trace = false;
  private socketClosed = false;

  constructor(options: ConnectionOptions) {
    super();
    this.options = options;
    this.socket = options.socket;
    this.settings = checkSettings(options.settings ?? DEFAULT_SETTINGS);
    this.clock = options.clock ?? systemClock;
    const address = (options.socket as { remoteAddress?: string; remotePort?: number });
    this.label = options.label ?? (address.remoteAddress ? `${address.remoteAddress}:${address.remotePort}` : 'peer');
    this.log = (options.logger ?? silentLogger).child({ component: 'addp', peer: this.label });
    this.decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize });
    this.writer = new WriteQueue(options.socket, options.maxQueuedBytes);
    this.requests = new PendingRequests(this.clock);
    this.handler = options.onRequest;

    (options.socket as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    this.socket.on('data', this.onData);
    this.socket.on('end', this.onEnd);
    this.socket.on('error', this.onError);
    this.socket.once('close', this.onSocketClose);

    this.handshakeTimer = this.clock.setTimeout(() => {
      this.handshakeTimer = undefined;
      this.lose('timeout', 'handshake not completed in time');
    }, options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    this.handshakeTimer.unref?.();

    if (options.role === 'client') {
      this.writeFrame(encodeJsonFrame(FrameType.HELLO, 0, 0, helloFor(this.settings, options.name, options.auth)));
    }
  }

  get state(): ConnectionState {
    return this.status;
  }

  /** Set once the handshake completed. */
  get peer(): PeerInfo | undefined {
    return this.peerInfo;
  }

  /** The last measured poll round trip, in seconds. */
  get rtt(): number | undefined {
    return this.lastRttSeconds;
  }

  /** Bytes waiting for the socket to drain. */
  get queuedBytes(): number {
    return this.writer.bytes;
  }

  /** Sets the function that answers the peer's requests (its return value, or its error). */
  setRequestHandler(handler: RequestHandler | undefined): void {
    this.handler = handler;
  }

  /** Sends a one-way message. False when the link is not open (the message is not sent). */
  send(payload: unknown): boolean {
    if (this.status !== 'open') return false;
    return this.writeFrame(encodeJsonFrame(FrameType.MESSAGE, FrameFlags.NONE, 0, payload, this.decoder.maxFrameSize));
  }

  /** Sends a request; resolves with the peer's reply, rejects on error reply, timeout or loss. */
  request(payload: unknown, options: { timeoutMs?: number } = {}): Promise<unknown> {
    if (this.status !== 'open') {
      return Promise.reject(new AddpError('ADDP_NOT_OPEN', `cannot send a request to ${this.label}: link is ${this.status}`));
    }
    const id = this.requests.allocate();
    let frame: Buffer;
    try {
      frame = encodeJsonFrame(FrameType.MESSAGE, FrameFlags.REQUEST, id, payload, this.decoder.maxFrameSize);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const reply = this.requests.wait(id, options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, this.label);
    this.writeFrame(frame);
    return reply;
  }

  /** Closes the link on purpose: tells the peer why, then ends the socket. */
  close(reason = 'closed'): void {
    if (this.status === 'closed') return;
    if (this.status === 'open') this.writeFrame(encodeJsonFrame(FrameType.CLOSE, 0, 0, { reason }));
    this.finish({ reason: 'closed', message: reason, local: true }, false);
  }

  private setState(next: ConnectionState): void {
    if (next === this.status) return;
    this.log.debug('addp link state', { from: this.status, to: next });
    this.status = next;
  }

  private writeFrame(buf: Buffer): boolean {
    if (this.writer.write(buf)) return true;
    this.lose('error', `write queue full (${this.writer.maxQueuedBytes} bytes): peer is not reading`,
      new AddpError('ADDP_WRITE_QUEUE_FULL', `write queue to ${this.label} exceeded ${this.writer.maxQueuedBytes} bytes`));
    return false;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closed) return;
    this.keepalive?.received(this.clock.now());
    const { frames, error } = this.decoder.push(chunk);
    for (const frame of frames) {
      if (this.closed) return;
      if (this.deferred) this.deferred.push(frame);
      else this.handleFrame(frame);
    }
    if (error && !this.closed) this.lose('protocol', error.message, error);
  };

  /** Read through a getter so that narrowing does not outlive calls that may close the link. */
  private get closed(): boolean {
    return this.status === 'closed';
  }

  private readonly onEnd = (): void => this.lose('closed', 'peer closed the connection');

  private readonly onError = (error: Error): void => {
    const code = errorCode(error);
    const reset = code === 'ECONNRESET' || code === 'EPIPE';
    this.lose(reset ? 'closed' : 'error', reset ? `peer reset the connection (${code})` : errorMessage(error), error);
  };

  private readonly onSocketClose = (): void => {
    this.socketClosed = true;
    if (this.status !== 'closed') this.lose('closed', 'connection closed');
    this.emit('close');
  };

  private handleFrame(frame: Frame): void {
    if (this.status === 'handshaking') {
      this.handleHandshakeFrame(frame);
      return;
    }
    switch (frame.type) {
      case FrameType.POLL:
        this.writeFrame(encodeFrame(FrameType.POLL_ACK, 0, frame.id));
        if (this.trace) this.log.debug('addp poll received', { id: frame.id });
        return;
      case FrameType.POLL_ACK:
        this.onPollAck(frame.id);
        return;
      case FrameType.MESSAGE:
        this.onMessage(frame);
        return;
      case FrameType.CLOSE: {
        const decoded = decodeJsonPayload(frame);
        const reason = 'value' in decoded ? (decoded.value as { reason?: unknown } | undefined)?.reason : undefined;
        this.lose('closed', `peer closed the link${typeof reason === 'string' ? `: ${reason}` : ''}`);
        return;
      }
      default:
        this.lose('protocol', `unexpected ${frameTypeName(frame.type)} frame on an open link`,
          new ProtocolError('ADDP_UNEXPECTED_FRAME', `unexpected ${frameTypeName(frame.type)} frame on an open link`));
    }
  }

  private handleHandshakeFrame(frame: Frame): void {
    const expected = this.options.role === 'server' ? FrameType.HELLO : FrameType.HELLO_ACK;
    const decoded = decodeJsonPayload(frame);
    if ('error' in decoded) {
      this.lose('protocol', decoded.error.message, decoded.error);
      return;
    }
    if (frame.type === FrameType.CLOSE) {
      const reason = (decoded.value as { reason?: unknown } | undefined)?.reason;
      this.handshakeFailed(`peer refused the handshake${typeof reason === 'string' ? `: ${reason}` : ''}`, false);
      return;
    }
    if (frame.type !== expected) {
      this.handshakeFailed(`expected ${frameTypeName(expected)}, got ${frameTypeName(frame.type)}`, true);
      return;
    }
    void this.runHandshake(decoded.value);
  }

  private async runHandshake(value: unknown): Promise<void> {
    this.deferred = [];
    const outcome = this.options.role === 'server'
      ? await answerHello(value, this.settings, this.options.name, this.options.accept)
      : await checkHelloAck(value, this.settings, this.options.verify);
    if (this.status !== 'handshaking') return;
    if (!outcome.ok) return this.handshakeFailed(outcome.message, true);
    if (outcome.reply) this.writeFrame(encodeJsonFrame(FrameType.HELLO_ACK, 0, 0, outcome.reply));
    this.open(outcome.peer);
  }

  private handshakeFailed(message: string, tellPeer: boolean): void {
    if (tellPeer) this.writeFrame(encodeJsonFrame(FrameType.CLOSE, 0, 0, { reason: message }));
    this.lose('protocol', `handshake failed: ${message}`, new ProtocolError('ADDP_HANDSHAKE_FAILED', `handshake with ${this.label} failed: ${message}`));
  }

  private open(peer: PeerInfo): void {
    if (this.handshakeTimer !== undefined) this.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.peerInfo = peer;
    this.trace = peer.trace;
    this.setState('open');
    if (peer.monitorTimeoutMs > 0) {
      this.keepalive = new Keepalive(this.clock, peer.monitorTimeoutMs, {
        poll: () => this.sendPoll(),
        expired: (silentMs) => this.lose('timeout', `no traffic from peer for ${Math.round(silentMs)} ms (ADDP timeout ${peer.monitorTimeoutMs} ms)`),
        late: (byMs) => this.log.warn('addp check ran late: this process stalled; re-checking after pending I/O', { lateMs: Math.round(byMs) }),
      });
    }
    this.emit('open', peer);
    const deferred = this.deferred ?? [];
    this.deferred = undefined;
    for (const frame of deferred) {
      if (this.status !== 'open') return;
      this.handleFrame(frame);
    }
  }

  private sendPoll(): void {
    this.pollId = this.pollId >= 0xffffffff ? 1 : this.pollId + 1;
    this.pollSentAt = this.clock.now();
    this.writeFrame(encodeFrame(FrameType.POLL, 0, this.pollId));
    if (this.trace) this.log.debug('addp poll sent', { id: this.pollId });
  }

  private onPollAck(id: number): void {
    if (id !== this.pollId) return;
    const rtt = (this.clock.now() - this.pollSentAt) / 1000;
    this.lastRttSeconds = rtt;
    this.keepalive?.acknowledged();
    if (this.trace) this.log.debug('addp poll acknowledged', { id, rttMs: rtt * 1000 });
    this.emit('rtt', rtt);
  }

  private onMessage(frame: Frame): void {
    const decoded = decodeJsonPayload(frame);
    if ('error' in decoded) {
      this.lose('protocol', decoded.error.message, decoded.error);
      return;
    }
    if (frame.flags & FrameFlags.RESPONSE) {
      this.requests.settle(frame.id, (frame.flags & FrameFlags.ERROR) !== 0, decoded.value);
      return;
    }
    if (frame.flags & FrameFlags.REQUEST) {
      void this.answer(frame.id, decoded.value);
      return;
    }
    this.emit('message', decoded.value);
  }

  private async answer(id: number, payload: unknown): Promise<void> {
    let flags: number = FrameFlags.RESPONSE;
    let reply: unknown;
    try {
      if (!this.handler) throw new AddpError('ADDP_REMOTE_ERROR', 'this peer serves no requests');
      reply = await this.handler(payload, this);
    } catch (error) {
      flags |= FrameFlags.ERROR;
      reply = { code: errorCode(error) ?? 'ERROR', message: errorMessage(error) };
    }
    if (this.status !== 'open') return;
    try {
      this.writeFrame(encodeJsonFrame(FrameType.MESSAGE, flags, id, reply, this.decoder.maxFrameSize));
    } catch (error) {
      this.writeFrame(encodeJsonFrame(FrameType.MESSAGE, FrameFlags.RESPONSE | FrameFlags.ERROR, id,
        { code: errorCode(error) ?? 'ERROR', message: errorMessage(error) }));
    }
  }

  private lose(reason: LostReason, message: string, error?: Error): void {
    this.finish({ reason, message, ...(error ? { error } : {}) }, true);
  }

  /** The one way out: clears every timer, fails pending requests, emits `lost`, ends the socket. */
  private finish(info: LostInfo, destroy: boolean): void {
    if (this.status === 'closed') return;
    this.setState('closed');
    this.keepalive?.stop();
    this.keepalive = undefined;
    if (this.handshakeTimer !== undefined) this.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.deferred = undefined;
    if (this.requests.size > 0) {
      this.requests.failAll(new AddpError('ADDP_CONNECTION_LOST', `link to ${this.label} lost (${info.reason}): ${info.message}`, info.error ? { cause: info.error } : undefined));
    }
    this.log.debug('addp link lost', { reason: info.reason, detail: info.message, local: info.local ?? false });
    this.emit('lost', info);
    if (this.socketClosed) return;
    if (destroy) {
      this.writer.clear();
      this.socket.destroy();
    } else {
      this.socket.end();
      // A peer that never finishes the close must not hold the socket open.
      const timer = this.clock.setTimeout(() => this.socket.destroy(), 1000);
      timer.unref?.();
      this.socket.once('close', () => this.clock.clearTimeout(timer));
    }
  }
}
