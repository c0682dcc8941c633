// Keeps `mlayer up`'s screen current: it reads the SCS status every second, and at once after
// every journal event (from the event stream, which it follows across SCS restarts), and keeps
// the latest events for the live block.

import { errorMessage } from '@mlayer/common';
import type { JournalEvent, StatusView } from '@mlayer/scs';
import { type ApiClient, UnreachableError } from '../client/api-client.js';
import { followEvents } from '../client/event-follower.js';
import type { StatusScreen } from './screen.js';

export interface MonitorOptions {
  readonly client: ApiClient;
  readonly screen: StatusScreen;
  /** Every status read (`mlayer up` learns the application pids from it). */
  readonly onStatus?: (status: StatusView) => void;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const KEEP_EVENTS = 8;
/** Events come in bursts (a switchover is five of them): one refresh per burst. */
const SETTLE_MS = 30;

export class StatusMonitor {
  private readonly stopped = new AbortController();
  private status: StatusView | undefined;
  private error: string | undefined;
  private readonly events: JournalEvent[] = [];
  private lastSeq: number | undefined;
  private tick: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private reading = false;
  private again = false;

  constructor(private readonly options: MonitorOptions) {}

  start(): void {
    void this.refresh();
    this.tick = setInterval(() => void this.refresh(), this.options.intervalMs ?? 1000);
    void this.follow();
  }

  stop(): void {
    this.stopped.abort();
    clearInterval(this.tick);
    clearTimeout(this.settle);
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      const status = await this.options.client.get<StatusView>('/api/v1/status');
      this.status = status;
      this.error = undefined;
      this.options.onStatus?.(status);
    } catch (error) {
      this.error = error instanceof UnreachableError ? 'no answer' : errorMessage(error);
    } finally {
      this.reading = false;
    }
    if (this.stopped.signal.aborted) return;
    this.options.screen.show({ status: this.status, error: this.error, events: this.events, nowMs: this.now });
    if (this.again) {
      this.again = false;
      void this.refresh();
    }
  }

  private onEvent(event: JournalEvent): void {
    this.lastSeq = event.seq;
    this.events.push(event);
    this.events.splice(0, Math.max(0, this.events.length - KEEP_EVENTS));
    clearTimeout(this.settle);
    this.settle = setTimeout(() => void this.refresh(), SETTLE_MS);
  }

  /** followEvents retries a dropped stream itself, but gives up when it cannot connect at first. */
  private async follow(): Promise<void> {
    const { signal } = this.stopped;
    while (!signal.aborted) {
      try {
        await followEvents({ client: this.options.client, since: this.lastSeq, onEvent: (e) => this.onEvent(e), notice: () => undefined, signal });
      } catch {
        // the SCS is not there (yet): the status refresh says so; try again shortly
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, 1000);
        signal.addEventListener('abort', done);
      });
    }
  }
}
