// The Koa 2 and 3 adapter: open, `next()`, commit; Koa sends the response only after that.
import type { Context, Middleware, Next } from 'koa';
import { HttpLifecycle, type HttpError, type HttpReply, type MiddlewareOptions, type SessionData, type TokenSessionHandle } from '../src/adapter';

declare module 'koa' {
  interface ExtendableContext {
    /** This request's session (token-session). */
    tokenSession: TokenSessionHandle<SessionData>;
  }
}

/** `app.use(koaTokenSession(options))`; guard one route with `router.get(path, sessions.requireSession, handler)`. */
export interface KoaTokenSession extends Middleware {
  requireSession: Middleware;
}

export function koaTokenSession(options?: MiddlewareOptions): KoaTokenSession {
  const lifecycle = new HttpLifecycle(options);

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
    }, rethrow);
  } as KoaTokenSession;

  middleware.requireSession = function requireTokenSession(ctx: Context, next: Next) {
    const reply = lifecycle.unauthorized(ctx.tokenSession, true);
    return reply ? send(ctx, reply) : next();
  };
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
