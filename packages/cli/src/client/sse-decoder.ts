// A Server-Sent Events decoder (the WHATWG event-stream format): `push(text)` returns the
// messages completed by that chunk and keeps partial lines. It never throws on what the network
// sends: an event larger than the limit comes back as an error frame, and the caller drops the
// connection.

export type SseFrame =
  | { readonly kind: 'message'; readonly id: string | undefined; readonly event: string; readonly data: string }
  | { readonly kind: 'error'; readonly message: string };

/** One event of the SCS stream is one small JSON line; anything near this is garbage. */
export const DEFAULT_MAX_EVENT_CHARS = 1024 * 1024;

export class SseDecoder {
  private pending = '';
  private data: string[] = [];
  private dataChars = 0;
  private event = '';
  /** The last `id:` seen; it carries over to later events, as the spec says (for Last-Event-ID). */
  lastEventId: string | undefined;
  /** Set once an error frame was returned; the decoder then ignores everything. */
  failed = false;

  constructor(private readonly maxEventChars = DEFAULT_MAX_EVENT_CHARS) {}

  push(chunk: string): SseFrame[] {
    if (this.failed) return [];
    const frames: SseFrame[] = [];
    this.pending += chunk;
    let start = 0;
    for (;;) {
      const lf = this.pending.indexOf('\n', start);
      const cr = this.pending.indexOf('\r', start);
      const end = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
      if (end < 0) break;
      // A CR at the very end may be the first half of CRLF: wait for the next chunk.
      if (end === cr && end === this.pending.length - 1) break;
      const line = this.pending.slice(start, end);
      start = end + (end === cr && this.pending[end + 1] === '\n' ? 2 : 1);
      const frame = this.line(line);
      if (frame !== undefined) frames.push(frame);
      if (this.failed) return frames;
    }
    this.pending = this.pending.slice(start);
    if (this.pending.length + this.dataChars > this.maxEventChars) frames.push(this.fail());
    return frames;
  }

  private line(line: string): SseFrame | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.dataChars += value.length + 1;
        if (this.dataChars > this.maxEventChars) return this.fail();
        return undefined;
      case 'event':
        this.event = value;
        return undefined;
      case 'id':
        if (!value.includes('\u0000')) this.lastEventId = value;
        return undefined;
      default:
        return undefined; // `retry` and unknown fields: ignored
    }
  }

  private dispatch(): SseFrame | undefined {
    const frame: SseFrame | undefined = this.data.length === 0
      ? undefined
      : { kind: 'message', id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') };
    this.data = [];
    this.dataChars = 0;
    this.event = '';
    return frame;
  }

  private fail(): SseFrame {
    this.failed = true;
    this.pending = '';
    this.data = [];
    return { kind: 'error', message: `event larger than ${this.maxEventChars} characters` };
  }
}
