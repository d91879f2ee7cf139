import type { Context, Middleware, Next } from 'koa';
import {
  HttpLifecycle, withHttpStatus, type HttpReply, type MiddlewareOptions, type RequestSession,
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
    let session: RequestSession;
    try {
      session = await lifecycle.open(ctx.req);
    } catch (err) {
      throw withHttpStatus(err);
    }
    ctx.tokenSession = session;
    const reply = lifecycle.unauthorized(session);
    if (reply) return send(ctx, reply);
    try {
      await next();
    } finally {
      let headers: Record<string, string> | null;
      try {
        headers = await lifecycle.commit(session);
      } catch (err) {
        throw withHttpStatus(err);
      }
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
