// What token-session's own stores share: express-session's Store methods, the callback-or-promise answer, and a value's expiry.
import { Store, TokenSessionError } from '../src/adapter';

// As express-session's typings spell its stores' callbacks, so that `session({ store })` type-checks.
export type Callback<T> = (err?: any, value?: T) => any;

interface ExpressSessionStoreMethods {
  regenerate(this: unknown, req: unknown, callback: Callback<void>): void;
  load(this: unknown, key: string, callback: Callback<any>): void;
  createSession(this: unknown, req: unknown, value: unknown): unknown;
}

/**
 * The base of redisStore and pgStore: an EventEmitter (express-session listens to its store),
 * with the three methods express-session's own Store gives every store. Only express-session
 * calls them, so they are borrowed from it when it does, and token-session needs no express-session.
 */
export class ExpressSessionCompatibleStore extends Store {
  regenerate(req: any, callback: Callback<void>): void {
    expressSessionStore().regenerate.call(this, req, callback);
  }

  load(key: string, callback: Callback<any>): void {
    expressSessionStore().load.call(this, key, callback);
  }

  createSession(req: any, value: any): any {
    return expressSessionStore().createSession.call(this, req, value);
  }
}

function expressSessionStore(): ExpressSessionStoreMethods {
  try {
    return (require('express-session') as { Store: { prototype: ExpressSessionStoreMethods } }).Store.prototype;
  } catch (err) {
    throw new TokenSessionError('ERR_UNSUPPORTED', 'express-session called a token-session store, but require("express-session") failed here', { cause: err });
  }
}

/** A promise, or, with a callback, the callback called with its outcome instead. */
export function answer<T>(work: Promise<T>, callback: Callback<T> | undefined): Promise<T> | undefined {
  if (!callback) return work;
  work.then((value) => callback(null, value), (err: unknown) => callback(err));
  return undefined;
}

/**
 * When a stored value expires (epoch ms), from its cookie as express-session and token-session
 * both write it: `expires` (a `Date` or its JSON string), else `maxAge`, else `defaultTtlMs` from now.
 */
export function expiryOf(value: object, defaultTtlMs: number): number {
  const cookie = (value as { cookie?: { expires?: unknown; maxAge?: unknown } }).cookie;
  const expires = cookie?.expires instanceof Date ? cookie.expires.getTime() : typeof cookie?.expires === 'string' ? Date.parse(cookie.expires) : NaN;
  if (Number.isFinite(expires)) return Math.floor(expires);
  return Math.floor(Date.now() + (typeof cookie?.maxAge === 'number' ? cookie.maxAge : defaultTtlMs));
}

/** A `ttl` option in seconds, checked, in ms. */
export function defaultTtlMsOf(store: string, ttl: unknown): number {
  if (typeof ttl !== 'number' || !(ttl > 0) || !Number.isFinite(ttl)) {
    throw new TokenSessionError('ERR_OPTIONS', `${store} option "ttl" must be a positive number of seconds, got ${String(ttl)}`);
  }
  return ttl * 1000;
}
