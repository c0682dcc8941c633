// `mlayer events --follow`: reads the SCS event stream and, when it drops, reconnects with
// Last-Event-ID after an exponential backoff with full jitter, so no event is lost or repeated.
// A link that stays silent past a few missed heartbeats counts as dropped.

import { Backoff, MlayerError, errorMessage } from '@mlayer/common';
import type { JournalEvent } from '@mlayer/scs';
import { ApiError, type ApiClient } from './api-client.js';
import { SseDecoder } from './sse-decoder.js';

export const STREAM_PATH = '/api/v1/events/stream';

export interface FollowOptions {
  readonly client: ApiClient;
  /** Resume after this seq (replayed by the SCS); undefined: from now on. */
  readonly since: number | undefined;
  readonly onEvent: (event: JournalEvent) => void;
  /** Reconnect notices (the CLI writes them to stderr). */
  readonly notice: (message: string) => void;
  readonly backoff?: Backoff;
  /** The SCS sends a heartbeat every 15 s; silence for this long means the link is dead. */
  readonly idleMs?: number;
  /** Ends the follow loop (resolves). */
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Follows until `signal` aborts. The first connection must succeed (else it throws: the SCS is
 * not there); later drops are retried forever.
 */
export async function followEvents(options: FollowOptions): Promise<void> {
  const { client, onEvent, notice, signal, idleMs = 45_000, sleep = defaultSleep } = options;
  const backoff = options.backoff ?? new Backoff({ initialMs: 250, maxMs: 10_000 });
  let lastSeq = options.since;
  let connected = false;
  const stopped = () => signal?.aborted === true;
  while (!stopped()) {
    let reason: string;
    try {
      reason = await readStream(client, lastSeq, idleMs, signal, {
        opened: () => {
          if (connected) notice('event stream resumed');
          connected = true;
          backoff.reset();
        },
        event: (event) => {
          if (lastSeq !== undefined && event.seq <= lastSeq) return;
          lastSeq = event.seq;
          onEvent(event);
        },
      });
    } catch (error) {
      if (!connected || (error instanceof ApiError && error.status < 500)) throw error;
      reason = errorMessage(error);
    }
    if (stopped()) return;
    const delay = backoff.next();
    notice(`event stream lost (${reason}); reconnecting in ${(delay / 1000).toFixed(1)} s`);
    await sleep(delay);
  }
}

/** Reads one connection until it ends; returns why it ended. */
async function readStream(
  client: ApiClient,
  lastSeq: number | undefined,
  idleMs: number,
  outer: AbortSignal | undefined,
  on: { opened: () => void; event: (event: JournalEvent) => void },
): Promise<string> {
  const controller = new AbortController();
  const abortFromOuter = () => controller.abort();
  outer?.addEventListener('abort', abortFromOuter);
  let idle: ReturnType<typeof setTimeout> | undefined;
  let idleExpired = false;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      idleExpired = true;
      controller.abort();
    }, idleMs);
  };
  try {
    touch();
    const body = await client.stream(STREAM_PATH, lastSeq, controller.signal);
    on.opened();
    const decoder = new SseDecoder();
    const text = new TextDecoder();
    for await (const chunk of body) {
      touch();
      for (const frame of decoder.push(text.decode(chunk, { stream: true }))) {
        if (frame.kind === 'error') return `bad event stream: ${frame.message}`;
        const event = parseEvent(frame.data);
        if (event === undefined) return 'bad event stream: an event is not journal JSON';
        on.event(event);
      }
    }
    return 'the SCS closed the stream';
  } catch (error) {
    if (idleExpired) return `no data for ${Math.round(idleMs / 1000)} s`;
    if (outer?.aborted === true) return 'stopped';
    throw error instanceof MlayerError ? error : new MlayerError('ESTREAM', errorMessage(error), { cause: error });
  } finally {
    clearTimeout(idle);
    outer?.removeEventListener('abort', abortFromOuter);
    controller.abort();
  }
}

function parseEvent(data: string): JournalEvent | undefined {
  try {
    const value = JSON.parse(data) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { seq, type, time } = value as { seq?: unknown; type?: unknown; time?: unknown };
    if (typeof seq !== 'number' || typeof type !== 'string' || typeof time !== 'string') return undefined;
    return value as JournalEvent;
  } catch {
    return undefined;
  }
}
