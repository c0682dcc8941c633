// The endpoints of CONTRACT.md section 5 on top of the ScsService: reads stay open, mutations
// need the bearer token (when one is configured) and are written to the audit log.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, errorMessage } from '@mlayer/common';
import { type Registry } from '@mlayer/common/metrics';
import type { CommandResult, ScsService } from '../views.js';
import type { BearerAuth, Caller } from './auth.js';
import type { EventStreamHub } from './event-stream.js';
import { HttpError, sendJson } from './responses.js';
import { Router } from './router.js';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
}

export interface RouteDeps {
  readonly service: ScsService;
  readonly registry: Registry;
  readonly auth: BearerAuth;
  readonly events: EventStreamHub;
  readonly log: Logger;
}

export const EVENTS_DEFAULT_LIMIT = 1000;
export const EVENTS_MAX_LIMIT = 10_000;

type Action = 'start' | 'stop' | 'restart' | 'switchover';

export function apiRoutes(deps: RouteDeps): Router<RequestContext> {
  const { service, registry } = deps;
  const router = new Router<RequestContext>();

  router.add('GET', '/healthz', ({ res }) => sendJson(res, 200, { ok: true }));

  router.add('GET', '/metrics', async ({ res }) => {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(text);
  });

  router.add('GET', '/api/v1/status', ({ res }) => sendJson(res, 200, service.status()));
  router.add('GET', '/api/v1/hosts', ({ res }) => sendJson(res, 200, service.hostViews?.() ?? service.status().hosts));
  router.add('GET', '/api/v1/applications', ({ res }) => sendJson(res, 200, service.applicationViews?.() ?? service.status().applications));
  router.add('GET', '/api/v1/applications/:name', ({ res }, { name = '' }) => {
    const app = service.applicationView ? service.applicationView(name) : service.status().applications.find((a) => a.name === name);
    if (app === undefined) throw unknownApp(name);
    sendJson(res, 200, app);
  });

  router.add('GET', '/api/v1/events', async ({ res, url }) => {
    const since = integerParam(url, 'since', { min: 0 }) ?? 0;
    const limit = integerParam(url, 'limit', { min: 1, max: EVENTS_MAX_LIMIT }) ?? EVENTS_DEFAULT_LIMIT;
    sendJson(res, 200, await service.events(since, limit));
  });

  router.add('GET', '/api/v1/events/stream', async ({ req, res, url }) => {
    const header = req.headers['last-event-id'];
    const resumeAfter = typeof header === 'string' && header.trim() !== ''
      ? parseInteger('Last-Event-ID header', header.trim(), { min: 0 })
      : integerParam(url, 'since', { min: 0 });
    await deps.events.open(req, res, resumeAfter);
  });

  const command = (action: Action, prepare: (name: string, url: URL) => () => Promise<CommandResult>) =>
    router.add('POST', `/api/v1/applications/:name/${action}`, async ({ req, res, url }, { name = '' }) => {
      await runCommand(deps, req, res, action, name, () => prepare(name, url));
    });
  command('start', (name) => () => service.start(name));
  command('stop', (name, url) => {
    const graceful = booleanParam(url, 'graceful');
    return () => service.stop(name, graceful);
  });
  command('restart', (name) => () => service.restart(name));
  command('switchover', (name) => () => service.switchover(name));

  return router;
}

async function runCommand(
  deps: RouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  action: Action,
  app: string,
  prepare: () => () => Promise<CommandResult>,
): Promise<void> {
  const { auth, log } = deps;
  const caller = authorize(auth, req, log, action, app);
  // Parameters are checked (400) after authorization and before the command reaches the SCS.
  const run = prepare();
  const who = { action, app, remote: caller.remote, authenticated: caller.authenticated };
  let result: CommandResult;
  try {
    result = await run();
  } catch (error) {
    log.error('command failed', { ...who, result: 'error', error: errorMessage(error) });
    throw error;
  }
  if (result.accepted) {
    log.info('command accepted', { ...who, result: 'accepted' });
    sendJson(res, 202, { accepted: true });
    return;
  }
  log.info('command refused', { ...who, result: 'refused', code: result.code, message: result.message });
  if (result.code === 'unknown-app') throw new HttpError(404, 'unknown-app', result.message);
  const primaryUrl = result.primaryUrl ?? (result.code === 'not-primary' ? deps.service.status().scs.peer?.url : undefined);
  throw new HttpError(409, result.code, result.message, { extra: primaryUrl === undefined ? {} : { primaryUrl } });
}

function authorize(auth: BearerAuth, req: IncomingMessage, log: Logger, action: Action, app: string): Caller {
  try {
    return auth.authorize(req);
  } catch (error) {
    log.warn('command refused: not authorized', { action, app, remote: `${req.socket.remoteAddress}:${req.socket.remotePort}` });
    throw error;
  }
}

function unknownApp(name: string): HttpError {
  return new HttpError(404, 'unknown-app', `no application named "${name}"`);
}

function integerParam(url: URL, name: string, range: { min: number; max?: number }): number | undefined {
  const value = url.searchParams.get(name);
  return value === null ? undefined : parseInteger(`query parameter ${name}`, value, range);
}

function parseInteger(what: string, text: string, range: { min: number; max?: number }): number {
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  const { min, max = Number.MAX_SAFE_INTEGER } = range;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const bounds = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new HttpError(400, 'bad-request', `${what} must be ${bounds} (got "${text}")`);
  }
  return value;
}

function booleanParam(url: URL, name: string): boolean {
  const value = url.searchParams.get(name);
  if (value === null || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw new HttpError(400, 'bad-request', `query parameter ${name} must be true or false (got "${value}")`);
}
