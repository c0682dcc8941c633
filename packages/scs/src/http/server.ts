// The SCS HTTP server on node:http: reads the (bounded) request, routes it, and turns every
// failure into a JSON error reply. A bad request never takes the process down.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Logger, errorMessage } from '@mlayer/common';
import { type Registry } from '@mlayer/common/metrics';
import type { ScsService } from '../views.js';
import { BearerAuth } from './auth.js';
import { DEFAULT_EVENT_STREAM_OPTIONS, EventStreamHub, type EventStreamOptions } from './event-stream.js';
import { HttpError, sendError } from './responses.js';
import { apiRoutes } from './routes.js';

export const MAX_BODY_BYTES = 64 * 1024;

/** After close(), requests still in flight get this long before their connections are cut. */
const CLOSE_GRACE_MS = 2_000;

export interface HttpApiOptions {
  readonly host: string;
  /** 0 picks a free port (tests); the chosen one is in `url`. */
  readonly port: number;
  readonly service: ScsService;
  readonly registry: Registry;
  /** When set, every mutating request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
  readonly eventStream?: Partial<EventStreamOptions>;
}

export interface HttpApi {
  readonly server: http.Server;
  /** The base URL, e.g. `http://127.0.0.1:5099`. */
  readonly url: string;
  /** Ends the event streams, stops listening and resolves once every connection is gone. */
  close(): Promise<void>;
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const { service, registry, logger: log, maxBodyBytes = MAX_BODY_BYTES } = options;
  const events = new EventStreamHub(service, { ...DEFAULT_EVENT_STREAM_OPTIONS, ...options.eventStream }, log);
  const router = apiRoutes({ service, registry, auth: new BearerAuth(options.token), events, log });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await readBody(req, maxBodyBytes);
      const url = new URL(req.url ?? '/', 'http://mlayer.invalid');
      const { route, params } = router.match(req.method ?? '', url.pathname);
      await route.handle({ req, res, url }, params);
    } catch (error) {
      if (error instanceof HttpError) {
        sendError(res, error);
        return;
      }
      log.error('request failed', { method: req.method, url: req.url, error: errorMessage(error) });
      sendError(res, new HttpError(500, 'internal', `the SCS could not answer: ${errorMessage(error)}`));
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error('request handler crashed', { error: errorMessage(error) });
      res.destroy();
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => rejectMalformed(error, socket, log));
  server.on('error', (error) => log.error('HTTP server error', { error: errorMessage(error) }));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  log.info('HTTP API listening', { url, auth: options.token ? 'bearer' : 'none' });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      events.closeAll();
      const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      cut.unref();
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { server, url, close };
}

/** Consumes the request body; the API takes none, so anything over the limit is refused (413). */
function readBody(req: IncomingMessage, limit: number): Promise<void> {
  const tooLarge = () =>
    new HttpError(413, 'body-too-large', `request bodies are limited to ${limit} bytes (the API takes its parameters in the path and query)`, {
      headers: { connection: 'close' },
    });
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return;
      req.removeListener('data', onData);
      req.pause();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', () => resolve());
    // A client that goes away mid-body: the reply is written to nobody, handlers see a closed socket.
    req.once('close', () => resolve());
    req.once('error', () => resolve());
  });
}

function rejectMalformed(error: NodeJS.ErrnoException, socket: Duplex, log: Logger): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  log.warn('malformed HTTP request', { error: error.message, code: error.code });
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({ error: { code: 'bad-request', message: `malformed HTTP request: ${error.message}` } });
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
