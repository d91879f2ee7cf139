// The Koa 2 and 3 adapter: open, `next()`, commit; Koa sends the response only after that.
// The root entry's types come with this entry's: `declare module 'token-session'` (typing SessionData)
// needs that module in the program, and an app may import only this entry (TS2664 otherwise).
/// <reference path="../src/index.ts" preserve="true" />
import type { Context, Middleware, Next } from 'koa';
import { assertFactoryCall, HttpLifecycle, routeRequirement, type ClientInfo, type HttpError, type HttpReply, type MiddlewareOptions, type RouteRequirement, type SessionData, type TokenSessionHandle } from '../src/adapter';

declare module 'koa' {
  interface ExtendableContext {
    /** This request's session (token-session). */
    tokenSession: TokenSessionHandle<SessionData>;
  }
}

/** `app.use(koaTokenSession(options))`; guard one route with `router.get(path, sessions.requireSession, handler)`. */
export interface KoaTokenSession extends Middleware {
  requireSession: Middleware;
  /** A guard for one route: `router.post(path, sessions.required({ maxAuthAge: 60 }), handler)` also wants a sign-in at most 60 s old. */
  required(requirement: RouteRequirement): Middleware;
}

/**
 * Makes the middleware: `app.use(koaTokenSession(options))`.
 * @param notAMiddleware Never passed: the guard against `app.use(koaTokenSession)`, the factory
 * itself as the middleware. Koa would call it with `(ctx, next)`, and `next` cannot be `never`:
 * a type error under `strict`, and at run time an `ERR_OPTIONS` that names the fix.
 */
export function koaTokenSession(options?: MiddlewareOptions, notAMiddleware?: never): KoaTokenSession {
  assertFactoryCall('koaTokenSession', notAMiddleware);
  // Who made a session (the `metadata` option): `ctx.ip`, which Koa's `proxy` setting decides.
  const lifecycle = new HttpLifecycle(options, (ctx: Context): ClientInfo => ({ userAgent: ctx.get('user-agent') || undefined, ip: ctx.ip }));

  // Not async: the lifecycle answers at once when the store does, and Koa takes a plain return value.
  const middleware = function tokenSession(ctx: Context, next: Next) {
    return lifecycle.open(ctx.req, (session) => {
      ctx.tokenSession = session;
      const reply = lifecycle.unauthorized(session);
      if (reply) return send(ctx, reply);
      const commit = () => lifecycle.commit(session, (headers) => {
        if (headers) ctx.set(headers);
      }, rethrow);
      // As `try { await next() } finally { commit }`: committed on failure too, a failed commit's error winning.
      return next().then(commit, (err: unknown) => lifecycle.commit(session, () => rethrow(err as HttpError), rethrow));
    }, rethrow, ctx);
  } as KoaTokenSession;

  middleware.required = (requirement) => {
    const required = routeRequirement(requirement);
    return function requireTokenSession(ctx: Context, next: Next) {
      const reply = lifecycle.unauthorized(ctx.tokenSession, required);
      return reply ? send(ctx, reply) : next();
    };
  };
  middleware.requireSession = middleware.required(true);
  return middleware;
}

function rethrow(err: HttpError): never {
  throw err;
}

function send(ctx: Context, reply: HttpReply): void {
  ctx.status = reply.status;
  ctx.set(reply.headers);
  ctx.body = reply.body;
}
