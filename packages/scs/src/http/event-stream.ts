// GET /api/v1/events/stream: Server-Sent Events, one `id:` + `data:` per journal event.
// A resuming client (Last-Event-ID or ?since=) gets the journal after that seq, then the live
// events, without gaps or duplicates: subscribe first and buffer, replay from the journal, then
// flush the buffer, skipping every seq already sent.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, errorMessage } from '@mlayer/common';
import type { JournalEvent } from '../events.js';
import type { ScsService } from '../views.js';

export interface EventStreamOptions {
  /** Comment line sent to every stream this often, so proxies and clients see a live link. */
  readonly heartbeatMs: number;
  /** A client this far behind (bytes queued in its socket) is dropped; it resumes with Last-Event-ID. */
  readonly maxQueuedBytes: number;
  /** Events fetched from the journal per request while replaying. */
  readonly replayPageSize: number;
}

export const DEFAULT_EVENT_STREAM_OPTIONS: EventStreamOptions = {
  heartbeatMs: 15_000,
  maxQueuedBytes: 4 * 1024 * 1024,
  replayPageSize: 500,
};

/** Live events that may arrive while one stream replays, before it is dropped as too slow. */
const MAX_BUFFERED_EVENTS = 50_000;

class EventStream {
  /** Live events held back while the journal is replayed; undefined once live. */
  private buffer: JournalEvent[] | undefined = [];
  private lastSent: number;
  private closed = false;
  private unsubscribe: () => void = () => {};

  constructor(
    private readonly res: ServerResponse,
    resumeAfter: number | undefined,
    private readonly options: EventStreamOptions,
    private readonly log: Logger,
    private readonly onClose: (stream: EventStream) => void,
  ) {
    this.lastSent = resumeAfter ?? Number.NEGATIVE_INFINITY;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  attach(unsubscribe: () => void): void {
    this.unsubscribe = unsubscribe;
  }

  offer(event: JournalEvent): void {
    if (this.closed) return;
    if (this.buffer === undefined) {
      this.send(event);
    } else if (this.buffer.length >= MAX_BUFFERED_EVENTS) {
      this.close('too many live events while replaying');
    } else {
      this.buffer.push(event);
    }
  }

  /** Sends the journal after the resume point, then the buffered live events; then goes live. */
  async replay(service: ScsService): Promise<void> {
    const { replayPageSize } = this.options;
    for (;;) {
      const page = await service.events(Number.isFinite(this.lastSent) ? this.lastSent : 0, replayPageSize);
      if (this.closed) return;
      for (const event of page) this.send(event);
      const firstBuffered = this.buffer?.[0];
      // Once the replay reaches the first buffered event, the buffer holds everything after it.
      if (page.length < replayPageSize || (firstBuffered !== undefined && this.lastSent >= firstBuffered.seq)) break;
    }
    this.goLive();
  }

  goLive(): void {
    const buffered = this.buffer ?? [];
    this.buffer = undefined;
    for (const event of buffered) this.send(event);
  }

  heartbeat(): void {
    if (!this.closed) this.write(': heartbeat\n\n');
  }

  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = undefined;
    this.unsubscribe();
    if (reason !== undefined) this.log.warn('event stream closed', { reason, lastSent: this.lastSent });
    if (!this.res.writableEnded) this.res.end();
    this.onClose(this);
  }

  private send(event: JournalEvent): void {
    if (this.closed || event.seq <= this.lastSent) return;
    this.lastSent = event.seq;
    this.write(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  private write(text: string): void {
    this.res.write(text);
    if (this.res.writableLength > this.options.maxQueuedBytes) {
      this.close('client too slow');
      this.res.destroy();
    }
  }
}

/** Every open event stream of one HTTP server, and their shared heartbeat. */
export class EventStreamHub {
  private readonly streams = new Set<EventStream>();
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly service: ScsService,
    private readonly options: EventStreamOptions,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /** Serves one stream until the client goes away; `resumeAfter` is the last seq the client has. */
  async open(req: IncomingMessage, res: ServerResponse, resumeAfter: number | undefined): Promise<void> {
    const stream = new EventStream(res, resumeAfter, this.options, this.log, (s) => this.forget(s));
    // Subscribe before anything else, so no event falls between the replay and the live feed.
    stream.attach(this.service.subscribe((event) => stream.offer(event)));
    this.streams.add(stream);
    res.on('close', () => stream.close());
    res.on('error', () => stream.close());
    // The client may have gone while the request was read: 'close' has fired already then.
    if (res.destroyed || req.socket.destroyed) {
      stream.close();
      return;
    }
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': mlayer event stream\n\n');
    this.startHeartbeat();
    if (resumeAfter === undefined) {
      stream.goLive();
      return;
    }
    try {
      await stream.replay(this.service);
    } catch (error) {
      this.log.error('event replay failed', { error: errorMessage(error), resumeAfter });
      stream.close();
    }
  }

  closeAll(): void {
    for (const stream of [...this.streams]) stream.close();
  }

  private forget(stream: EventStream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0 && this.heartbeatTimer !== undefined) {
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer !== undefined || this.streams.size === 0) return;
    this.heartbeatTimer = setInterval(() => {
      for (const stream of this.streams) stream.heartbeat();
    }, this.options.heartbeatMs);
    this.heartbeatTimer.unref();
  }
}
