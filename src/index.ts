export { TokenSession, type SessionData, type NewSession } from './core/token-session';
export type { TokenSessionOptions } from './core/options';
export type { Callback } from './core/callback';
export type { GenId } from './core/tokens';
export { TokenSessionError, isTokenSessionError, type TokenSessionErrorCode } from './errors';
export { Store } from './store/base-store';
export type { HackTtl } from './store/memory';
export type { SessionRecord } from './store/record';
export type { ExpressSessionStore, StoreCallback } from './store/types';
