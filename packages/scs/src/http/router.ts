// A small path router: `/api/v1/applications/:name/start` style patterns, exact segments,
// URL-decoded parameters. A path that matches some route under another method is a 405.

import { HttpError } from './responses.js';

export type Method = 'GET' | 'POST';

export interface Route<C> {
  readonly method: Method;
  readonly pattern: string;
  readonly handle: (context: C, params: Readonly<Record<string, string>>) => Promise<void> | void;
}

export type RouteMatch<C> = { readonly route: Route<C>; readonly params: Readonly<Record<string, string>> };

interface CompiledRoute<C> {
  readonly route: Route<C>;
  readonly segments: readonly string[];
}

export class Router<C> {
  private readonly routes: CompiledRoute<C>[] = [];

  add(method: Method, pattern: string, handle: Route<C>['handle']): this {
    this.routes.push({ route: { method, pattern, handle }, segments: split(pattern) });
    return this;
  }

  /** The route for method and path; throws HttpError 404 (no such path) or 405 (wrong method). */
  match(method: string, pathname: string): RouteMatch<C> {
    const segments = split(pathname);
    const allowed = new Set<string>();
    for (const { route, segments: pattern } of this.routes) {
      const params = matchSegments(pattern, segments);
      if (params === undefined) continue;
      if (route.method === method) return { route, params };
      allowed.add(route.method);
    }
    if (allowed.size > 0) {
      const allow = [...allowed].join(', ');
      throw new HttpError(405, 'method-not-allowed', `${method} is not allowed on ${pathname} (allowed: ${allow})`, {
        headers: { allow },
      });
    }
    throw new HttpError(404, 'not-found', `no such endpoint: ${pathname} (the API lives under /api/v1)`);
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const want = pattern[i] ?? '';
    const got = segments[i] ?? '';
    if (want.startsWith(':')) params[want.slice(1)] = decodeSegment(got);
    else if (want !== got) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'bad-request', `malformed percent-encoding in path segment "${segment}"`);
  }
}
