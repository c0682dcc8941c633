// A minimal Redis client over a raw TCP socket: RESP2 replies parsed as they arrive, one command
// at a time per connection. Enough for ROLE, PING and SENTINEL queries; nothing else is needed.

import net from 'node:net';
import { once } from 'node:events';
import { withDeadline } from '../lib/deadline.js';

export type RespValue = string | number | null | RespError | RespValue[];

export class RespError extends Error {}

interface Parsed {
  readonly value: RespValue;
  readonly next: number;
}

/** One complete reply starting at `at`, or undefined when the buffer does not hold all of it yet. */
function parse(buffer: Buffer, at: number): Parsed | undefined {
  const eol = buffer.indexOf('\r\n', at);
  if (eol === -1) return undefined;
  const type = String.fromCharCode(buffer[at] as number);
  const line = buffer.toString('utf8', at + 1, eol);
  const after = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RespError(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: after };
      if (buffer.length < after + length + 2) return undefined;
      return { value: buffer.toString('utf8', after, after + length), next: after + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i += 1) {
        const item = parse(buffer, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new RespError(`not a RESP reply (type byte ${JSON.stringify(type)})`);
  }
}

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (value: RespValue) => void; reject: (error: Error) => void }> = [];
  private closedWith: Error | undefined;

  private constructor(readonly port: number, private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => this.fail(new Error(`connection to 127.0.0.1:${port} closed`)));
  }

  static async connect(port: number, timeoutMs: number): Promise<RespClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    try {
      await withDeadline(Promise.race([once(socket, 'connect'), once(socket, 'error').then(([error]) => Promise.reject(error as Error))]), timeoutMs, `cannot connect to 127.0.0.1:${port}`);
    } catch (error) {
      socket.destroy();
      throw error;
    }
    return new RespClient(port, socket);
  }

  /** Sends one command and resolves with its reply (an error reply resolves as a RespError). */
  command(args: readonly string[], timeoutMs: number): Promise<RespValue> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const reply = new Promise<RespValue>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.socket.write(encode(args));
    return withDeadline(reply, timeoutMs, `no reply to ${args.join(' ')} from 127.0.0.1:${this.port}`);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let at = 0;
    for (;;) {
      let parsed: Parsed | undefined;
      try {
        parsed = parse(this.buffer, at);
      } catch (error) {
        this.socket.destroy(error as Error);
        return;
      }
      if (parsed === undefined) break;
      at = parsed.next;
      this.waiting.shift()?.resolve(parsed.value);
    }
    this.buffer = this.buffer.subarray(at);
  }

  private fail(error: Error): void {
    this.closedWith = error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}

/** SENTINEL MASTER's flat [key, value, ...] reply as a record. */
export function fields(reply: RespValue): Record<string, string> {
  const record: Record<string, string> = {};
  if (!Array.isArray(reply)) return record;
  for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = String(reply[i + 1]);
  return record;
}
