// Bearer-token check for mutating requests. Both sides are hashed first so the comparison is
// constant-time and does not leak the token's length.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './responses.js';

export interface Caller {
  /** Remote address and port, for the audit log. */
  readonly remote: string;
  /** Whether the request carried the configured token (false when no token is configured). */
  readonly authenticated: boolean;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export class BearerAuth {
  private readonly expected: Buffer | undefined;

  constructor(token: string | undefined) {
    this.expected = token === undefined || token === '' ? undefined : digest(token);
  }

  get required(): boolean {
    return this.expected !== undefined;
  }

  /** The caller of a mutation; throws HttpError 401 when a token is configured and not presented. */
  authorize(req: IncomingMessage): Caller {
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    if (this.expected === undefined) return { remote, authenticated: false };
    const presented = bearerToken(req.headers.authorization);
    if (presented !== undefined && timingSafeEqual(digest(presented), this.expected)) return { remote, authenticated: true };
    throw new HttpError(
      401,
      'unauthorized',
      presented === undefined
        ? 'this request needs Authorization: Bearer <token> (mlayer: --token or MLAYER_TOKEN)'
        : 'the bearer token is not valid',
      { headers: { 'www-authenticate': 'Bearer realm="mlayer"' } },
    );
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
