// The `token-session/adapter` entry: what a framework adapter or a store author builds on.
/**
 * For a framework adapter: `HttpLifecycle` is the whole request lifecycle. Per request, call
 * `open(rawNodeRequest, then, otherwise)` before the handler, put the session it hands `then`
 * where the framework keeps per-request state, answer `unauthorized(session)` with a 401 when
 * it is not `null`, and call `commit(session, then, otherwise)` before the response is sent,
 * adding the headers it hands `then`. Neither call ever makes an adapter tell a value from a
 * promise: the continuations run at once when the store answers at once. A failure reaches
 * `otherwise` with its HTTP status (`statusCode`: 503 for a store failure) on the error; hand
 * it to the framework's error path, or answer `errorReply(err)` where hooks answer with a response.
 * A factory that makes a middleware takes `(options?, notAMiddleware?: never)` and first calls
 * `assertFactoryCall(name, notAMiddleware)`: `app.use(factory)`, the factory mounted in the
 * middleware's place, is then a type error, and at run time an error that names the fix.
 *
 * For a store author: a store is any express-session store (`ExpressSessionStore`: `get`, `set`,
 * `destroy`, by callback, promise or both). It receives `SessionRecord`s; their `cookie` carries
 * the expiry as express-session's does. A store may also apply a commit's changes itself, atomically
 * (`AtomicSessionStore`: `updateSession(change)`, with `applySessionChange` its semantics in
 * JavaScript); the engine then hands it every change instead of reading and writing the session.
 * `SessionIndex` is the contract of the owner/claim index.
 */
import { useNodePlatform } from './platform/node';

useNodePlatform();

export { HttpLifecycle, errorReply, routeRequirement, type HttpReply, type HttpError, type RouteRequirement } from './http/lifecycle';
export type { TokenSessionHandle, TokenStatus } from './http/request-session';
export { assertFactoryCall, type HttpOptions, type MiddlewareOptions, type InvalidTokenEvent, type ResolvedHttpOptions } from './http/options';
export type { RawRequest } from './http/request-token';
export { TokenSession, type SessionData } from './core/token-session';
export { TokenSessionError } from './errors';
export { Store } from './store/base-store';
export type { ExpressSessionStore, StoreCallback, AtomicSessionStore, SessionChange } from './store/types';
export { applySessionChange, type ClientInfo } from './core/commit-plan';
export type { SessionRecord, SessionMetadata } from './store/record';
export type { SessionIndex, IndexEntry } from './store/session-index';
export type { HackTtl } from './store/memory';
