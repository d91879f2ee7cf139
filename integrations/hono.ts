// token-session/hono: Hono middleware; the session in `c.get('tokenSession')`, typed through Hono's Variables. It answers its own 401s and 503s: Hono's error handler would make a 503 a 500.
// The root entry's types come with this entry's: `declare module 'token-session'` (typing SessionData)
// needs that module in the program, and an app may import only this entry (TS2664 otherwise).
/// <reference path="../src/index.ts" preserve="true" />
import type { Context, MiddlewareHandler } from 'hono';
import { routeRequirement, type RouteRequirement } from '../src/http/lifecycle';
import { assertFactoryCall } from '../src/http/options';
import { fetchTokenSession, type FetchTokenSessionOptions, type SessionData, type TokenSession, type TokenSessionHandle } from './fetch';

export type { FetchTokenSessionOptions as HonoTokenSessionOptions, SessionData, TokenSessionHandle } from './fetch';

/** What the middleware adds to Hono's `Env`: `new Hono<TokenSessionEnv>()`, or inferred from `app.use(ts)`. */
export interface TokenSessionEnv<T = SessionData> {
  Variables: { tokenSession: TokenSessionHandle<T> };
}

/** `app.use(honoTokenSession(options))`; guard one route with `app.get(path, ts.requireSession, handler)`. */
export interface HonoTokenSession<T = SessionData> extends MiddlewareHandler<TokenSessionEnv<T>> {
  /** Answers 401 on routes it guards when the request has no session. */
  requireSession: MiddlewareHandler<TokenSessionEnv<T>>;
  /** A guard for one route: `app.post(path, ts.required({ maxAuthAge: 60 }), handler)` also wants a sign-in at most 60 s old. */
  required(requirement: RouteRequirement): MiddlewareHandler<TokenSessionEnv<T>>;
  /** The engine (for `list`, `destroyAll`, `newOnce`, ...). */
  readonly sessions: TokenSession<T>;
}

/**
 * Makes the middleware: `app.use(honoTokenSession(options))`.
 * @param notAMiddleware Never passed: the guard against `app.use(honoTokenSession)`, the factory
 * itself as the middleware. Hono would call it with `(c, next)`, and `next` cannot be `never`:
 * a type error under `strict`, and at run time an `ERR_OPTIONS` that names the fix.
 */
export function honoTokenSession<T = SessionData>(options?: FetchTokenSessionOptions<T>, notAMiddleware?: never): HonoTokenSession<T> {
  assertFactoryCall('honoTokenSession', notAMiddleware);
  const web = fetchTokenSession<T>(options);
  const recordsClients = web.sessions.records.recordsMetadata;

  const middleware = async function tokenSession(c: Context<TokenSessionEnv<T>>, next: () => Promise<void>) {
    let session: TokenSessionHandle<T>;
    try {
      session = await web.open(c.req.raw, recordsClients ? runtimeAddress(c) : undefined);
    } catch (err) {
      return web.errorResponse(err);
    }
    c.set('tokenSession', session);
    const refused = web.unauthorized(session);
    if (refused) return refused;
    // Hono has answered a handler's throw through its onError by the time next() resolves: the commit runs after either.
    await next();
    try {
      const committed = await web.commit(session, c.res);
      if (committed !== c.res) replaceResponse(c, committed);
    } catch (err) {
      replaceResponse(c, web.errorResponse(err));
    }
    return undefined;
  } as HonoTokenSession<T>;

  middleware.required = (requirement) => {
    const required = routeRequirement(requirement);
    return async function requireTokenSession(c, next) {
      const refused = web.unauthorized(c.get('tokenSession'), required);
      if (refused) return refused;
      await next();
      return undefined;
    };
  };
  middleware.requireSession = middleware.required(true);
  Object.defineProperty(middleware, 'sessions', { value: web.sessions, enumerable: true });
  return middleware;
}

/**
 * The client's address, where the runtime hands it to Hono's `c.env` (for the `metadata`
 * option): @hono/node-server's request, Bun's server, Deno's connection info. Never a header: a
 * client can send any. On Workers, where the address arrives in a header Cloudflare sets, none.
 */
function runtimeAddress(c: Context): string | undefined {
  const env = c.env as {
    incoming?: { socket?: { remoteAddress?: string } };
    requestIP?: (request: Request) => { address: string } | null;
    remoteAddr?: { hostname?: string };
  } | undefined;
  if (typeof env !== 'object' || env === null) return undefined;
  return env.incoming?.socket?.remoteAddress ?? (typeof env.requestIP === 'function' ? env.requestIP(c.req.raw)?.address : undefined) ?? env.remoteAddr?.hostname;
}

/** Sets `c.res` to `response` as it is: Hono would otherwise copy the old response's headers onto it. */
function replaceResponse(c: Context, response: Response): void {
  c.res = undefined;
  c.res = response;
}
