// The `token-session` entry: the user API, and nothing internal (adapter and store authors: `token-session/adapter`).
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
// Types a handler is written with, whatever its framework.
export type { TokenSessionHandle, TokenStatus } from './http/request-session';
export type { HttpOptions, MiddlewareOptions, InvalidTokenEvent } from './http/options';
