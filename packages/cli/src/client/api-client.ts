// The SCS HTTP API as the `mlayer` client commands see it: JSON over fetch, the bearer token,
// error replies turned into errors with the server's code and message, and one retry against
// the primary when a backup SCS answers a mutation with 409 `not-primary`.

import { MlayerError, ValidationError, errorMessage } from '@mlayer/common';

export const DEFAULT_URL = 'http://127.0.0.1:5099';
const REQUEST_TIMEOUT_MS = 30_000;

/** The SCS answered with an error reply (`{ error: { code, message } }`). */
export class ApiError extends MlayerError {
  readonly status: number;
  readonly primaryUrl: string | undefined;

  constructor(status: number, code: string, message: string, primaryUrl?: string) {
    super(code, message);
    this.status = status;
    this.primaryUrl = primaryUrl;
  }
}

/** Nothing answered at the URL (refused, unknown host, reset, timeout). */
export class UnreachableError extends MlayerError {
  constructor(url: string, cause: unknown) {
    super('EUNREACHABLE', `cannot reach the SCS at ${url} (is it running? set --url or MLAYER_URL)`, { cause });
  }
}

export interface ApiClientOptions {
  readonly url: string;
  readonly token?: string | undefined;
  /** Told about a redirect to the primary SCS (the CLI writes it to stderr). */
  readonly notice?: (message: string) => void;
  readonly fetch?: typeof fetch;
}

/** Checks a --url value: an http(s) URL; the path prefix, if any, is kept. */
export function parseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(`--url must be an http:// or https:// URL (got "${text}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`--url must be an http:// or https:// URL (got "${text}")`);
  }
  return url.href.replace(/\/+$/, '');
}

export class ApiClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly notice: (message: string) => void;
  private readonly fetch: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.url = parseBaseUrl(options.url);
    this.token = options.token === '' ? undefined : options.token;
    this.notice = options.notice ?? (() => {});
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async get<T>(path: string): Promise<T> {
    const res = await this.send(this.url, 'GET', path);
    return (await res.json()) as T;
  }

  /** A mutation; a backup SCS's `not-primary` refusal is retried once at the primary it names. */
  async post(path: string): Promise<unknown> {
    try {
      return await (await this.send(this.url, 'POST', path)).json();
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'not-primary' || error.primaryUrl === undefined) throw error;
      const primary = parseBaseUrl(error.primaryUrl);
      this.notice(`the SCS at ${this.url} is not primary; retrying at ${primary}`);
      return await (await this.send(primary, 'POST', path)).json();
    }
  }

  /** Opens the event stream; the caller reads the body and aborts `signal` to drop it. */
  async stream(path: string, lastEventId: number | undefined, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
    const res = await this.send(this.url, 'GET', path, { headers, signal });
    if (res.body === null) throw new MlayerError('EPROTO', `the SCS at ${this.url} sent an empty event stream`);
    return res.body;
  }

  private async send(base: string, method: string, path: string, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetch(`${base}${path}`, { method, headers, signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        throw new MlayerError('ETIMEDOUT', `the SCS at ${base} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`, { cause: error });
      }
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new UnreachableError(base, error);
    }
    if (res.ok) return res;
    throw await errorReply(res, base);
  }
}

async function errorReply(res: Response, base: string): Promise<ApiError> {
  const text = await res.text().catch((error: unknown) => errorMessage(error));
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; primaryUrl?: unknown } };
    const { code, message, primaryUrl } = body.error ?? {};
    if (typeof code === 'string') {
      return new ApiError(res.status, code, typeof message === 'string' ? message : code, typeof primaryUrl === 'string' ? primaryUrl : undefined);
    }
  } catch {
    // not the API's error shape: fall through
  }
  return new ApiError(res.status, `http-${res.status}`, `the SCS at ${base} answered ${res.status} ${res.statusText}`.trim());
}
