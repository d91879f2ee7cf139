import type { Context, Middleware, Next } from 'koa';
import {
  HttpLifecycle, isPromise, type HttpReply, type MiddlewareOptions, type RequestSession,
  type SessionData, type TokenSessionHandle,
} from '../src';

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

/** Koa 2 and 3: load, `await next()`, commit; Koa sends the response only after that. */
export function koaTokenSession(options?: MiddlewareOptions): KoaTokenSession {
  const lifecycle = new HttpLifecycle(options);

  const middleware = async function tokenSession(ctx: Context, next: Next): Promise<void> {
    // Awaited only when it is a promise: awaiting a value that is here (an in-memory store
    // answers at once) would still cost a trip through the microtask queue.
    const opened = lifecycle.open(ctx.req);
    const session = isPromise(opened) ? await opened : opened;
    ctx.tokenSession = session;
    const reply = lifecycle.unauthorized(session);
    if (reply) return send(ctx, reply);
    try {
      await next();
    } finally {
      const committed = lifecycle.commit(session);
      const headers = isPromise(committed) ? await committed : committed;
      if (headers) ctx.set(headers);
    }
  } as KoaTokenSession;

  middleware.requireSession = async function requireTokenSession(ctx: Context, next: Next): Promise<void> {
    const reply = lifecycle.unauthorized(ctx.tokenSession as RequestSession | undefined, true);
    if (reply) send(ctx, reply);
    else await next();
  };
  return middleware;
}

function send(ctx: Context, reply: HttpReply): void {
  ctx.status = reply.status;
  ctx.set(reply.headers);
  ctx.body = reply.body;
}

export default koaTokenSession;
