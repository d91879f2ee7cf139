import { TokenSession } from './core/token-session';
import { nodeMiddleware, type NodeMiddleware } from './http/node-middleware';

export { TokenSession, type SessionData, type NewSession, type SessionInfo } from './core/token-session';
export type { TokenSessionOptions } from './core/options';
export type { Callback } from './core/callback';
export type { GenId } from './core/tokens';
export { TokenSessionError, isTokenSessionError, type TokenSessionErrorCode } from './errors';
export { Store } from './store/base-store';
export type { HackTtl } from './store/memory';
export type { SessionRecord } from './store/record';
export { memoryIndex, type SessionIndex, type IndexEntry } from './store/session-index';
export { redisIndex, type RedisIndexClient, type RedisIndexOptions } from './store/redis-index';
export type { ExpressSessionStore, StoreCallback } from './store/types';

// The framework-neutral request lifecycle, for the adapters in token-session/express, /koa, /fastify, /hapi.
export { HttpLifecycle, withHttpStatus, errorReply, type HttpReply } from './http/lifecycle';
export { RequestSession, decideCommit, type TokenSessionHandle, type TokenStatus, type CommitAction } from './http/request-session';
export type { HttpOptions, MiddlewareOptions, HttpSettings, InvalidTokenEvent } from './http/settings';
export { nodeMiddleware, type NodeMiddleware } from './http/node-middleware';
export { andThen, isPromise, whenReady, type Maybe } from './maybe';

declare module './core/token-session' {
  interface TokenSession<T> {
    /**
     * The seed API's Express middleware for this instance: `app.use(tokenSession.express)`.
     * Same as `expressTokenSession(tokenSession)` from token-session/express.
     */
    readonly express: NodeMiddleware;
  }
}

// Installed here, at the top of the layers, because the engine itself knows no HTTP.
const expressMiddlewares = new WeakMap<TokenSession<unknown>, NodeMiddleware>();
Object.defineProperty(TokenSession.prototype, 'express', {
  configurable: true,
  get(this: TokenSession<unknown>): NodeMiddleware {
    let middleware = expressMiddlewares.get(this);
    if (!middleware) expressMiddlewares.set(this, (middleware = nodeMiddleware(this)));
    return middleware;
  },
});
