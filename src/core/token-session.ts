// TokenSession, the programmatic API: each method states its intent and hands it to the one commit executor.
import type { NodeMiddleware } from '../../integrations/node';
import { TokenSessionError } from '../errors';
import { Store } from '../store/base-store';
import type { ExpressSessionStore } from '../store/types';
import { settle, type Callback } from './callback';
import { intentOf as intent, type CommitIntent, type TouchRequest } from './commit-plan';
import { copyData } from './data';
import { OneTimeTokens } from './one-time-tokens';
import { resolveOptions, type TokenSessionOptions } from './options';
import { Owners, type SessionInfo } from './owners';
import { SessionRecords } from './session-records';
import { assertToken } from './tokens';
import { ttlMsOf } from './ttl';

export type { SessionInfo } from './owners';

/**
 * The shape of session data. Empty here; extend it to type `data` everywhere:
 * `declare module 'token-session' { interface SessionData { userId: string } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SessionData {}

/** What `new` / `newWttl` resolve to. `sid` and `sessionId` are the same token. */
export interface NewSession<T> {
  sid: string;
  sessionId: string;
  data: T;
}

/**
 * Server-side sessions addressed by tokens. Every method returns a Promise, or, given a
 * trailing Node-style callback, calls it exactly once and returns undefined.
 */
export class TokenSession<T = SessionData> {
  /** The EventEmitter base class that express-session store factories subclass. */
  static readonly Store = Store;

  /** The store sessions are kept in, as given (or the default session-memory-store). */
  readonly store: ExpressSessionStore;
  /** @internal The session records and the commit executor; the request lifecycle commits through it. */
  readonly records: SessionRecords<T>;
  readonly #owners: Owners<T>;
  readonly #once: OneTimeTokens<T>;

  constructor(options?: TokenSessionOptions) {
    const resolved = resolveOptions(options);
    this.store = resolved.store;
    this.records = new SessionRecords<T>(resolved);
    this.#owners = new Owners(this.records, resolved);
    this.#once = new OneTimeTokens(this.records, resolved);
  }

  /** Starts a session with `data`; resolves to `{ sid, sessionId, data }`. Alias: `newSession`. */
  new(data: T): Promise<NewSession<T>>;
  new(data: T, callback: Callback<NewSession<T>>): void;
  new(data: T, callback?: Callback<NewSession<T>>) {
    return settle(this.create(data, undefined), callback);
  }
  declare newSession: TokenSession<T>['new'];

  /** Like `new`, with this session's own idle TTL in seconds. */
  newWttl(data: T, ttlSeconds: number): Promise<NewSession<T>>;
  newWttl(data: T, ttlSeconds: number, callback: Callback<NewSession<T>>): void;
  newWttl(data: T, ttlSeconds: number, callback?: Callback<NewSession<T>>) {
    return settle(this.create(data, ttlSeconds), callback);
  }

  /** The session's data, or `null` when unknown or expired. Touches when `autoTouch` is on. */
  get(sid: string): Promise<T | null>;
  get(sid: string, callback: Callback<T | null>): void;
  get(sid: string, callback?: Callback<T | null>) {
    return settle(this.load(sid, 'auto'), callback);
  }

  /** The session's data, or `null`; restarts its idle TTL (written when `touchAfter` allows). Alias: `getNtouch`. */
  getAndTouch(sid: string): Promise<T | null>;
  getAndTouch(sid: string, callback: Callback<T | null>): void;
  getAndTouch(sid: string, callback?: Callback<T | null>) {
    return settle(this.load(sid, 'due'), callback);
  }
  declare getNtouch: TokenSession<T>['getAndTouch'];

  /** The session's data, or `null`; never writes. */
  getNotTouch(sid: string): Promise<T | null>;
  getNotTouch(sid: string, callback: Callback<T | null>): void;
  getNotTouch(sid: string, callback?: Callback<T | null>) {
    return settle(this.load(sid, 'never'), callback);
  }

  /** Replaces the data and restarts the TTL. Rejects `ERR_SESSION_NOT_FOUND` for a token that is not a live session. */
  set(sid: string, data: T): Promise<void>;
  set(sid: string, data: T, callback: Callback<void>): void;
  set(sid: string, data: T, callback?: Callback<void>) {
    return settle(this.replace(sid, data, undefined), callback);
  }

  /** Like `set`, giving the session a new idle TTL in seconds. */
  setWttl(sid: string, data: T, ttlSeconds: number): Promise<void>;
  setWttl(sid: string, data: T, ttlSeconds: number, callback: Callback<void>): void;
  setWttl(sid: string, data: T, ttlSeconds: number, callback?: Callback<void>) {
    return settle(this.replace(sid, data, ttlSeconds), callback);
  }

  /** Restarts the idle TTL (always written); `false` when there is no such session. */
  touch(sid: string): Promise<boolean>;
  touch(sid: string, callback: Callback<boolean>): void;
  touch(sid: string, callback?: Callback<boolean>) {
    return settle(this.restart(sid), callback);
  }

  /** Ends the session; `true` if a live session was removed. */
  destroy(sid: string): Promise<boolean>;
  destroy(sid: string, callback: Callback<boolean>): void;
  destroy(sid: string, callback?: Callback<boolean>) {
    return settle(this.remove(sid), callback);
  }

  /** Moves the session to a new token (same data) and ends the old token at once; resolves to the new token. */
  regenerate(sid: string): Promise<string>;
  regenerate(sid: string, callback: Callback<string>): void;
  regenerate(sid: string, callback?: Callback<string>) {
    return settle(this.move(sid), callback);
  }

  /** The live sessions of `owner` (see `ownerKey`), each with a public id that is not its token. */
  list(owner: string): Promise<SessionInfo<T>[]>;
  list(owner: string, callback: Callback<SessionInfo<T>[]>): void;
  list(owner: string, callback?: Callback<SessionInfo<T>[]>) {
    return settle(this.#owners.list(owner), callback);
  }

  /** Ends every session of `owner` ("log out everywhere"); resolves to how many there were. */
  destroyAll(owner: string): Promise<number>;
  destroyAll(owner: string, callback: Callback<number>): void;
  destroyAll(owner: string, callback?: Callback<number>) {
    return settle(this.#owners.destroyAll(owner), callback);
  }

  /** Ends one session by its public id (from `list`); `true` if a live session was removed. */
  destroyById(id: string): Promise<boolean>;
  destroyById(id: string, callback: Callback<boolean>): void;
  destroyById(id: string, callback?: Callback<boolean>) {
    return settle(this.#owners.destroyById(id), callback);
  }

  /**
   * A one-time token for a time-limited link or code (email verification, password reset). It
   * is never a session token: `get` and the middleware do not accept it.
   */
  newOnce(data: T, ttlSeconds: number): Promise<string>;
  newOnce(data: T, ttlSeconds: number, callback: Callback<string>): void;
  newOnce(data: T, ttlSeconds: number, callback?: Callback<string>) {
    return settle(this.#once.issue(data, ttlSeconds), callback);
  }

  /**
   * The data of a one-time token, exactly once: every later call, and every call that loses a
   * race for it, gets `null` (across processes with `redisIndex`).
   */
  consume(token: string): Promise<T | null>;
  consume(token: string, callback: Callback<T | null>): void;
  consume(token: string, callback?: Callback<T | null>) {
    return settle(this.#once.consume(token), callback);
  }

  /**
   * The seed API's Express middleware for this instance: `app.use(tokenSession.express)`, the
   * same as `expressTokenSession(tokenSession)` from token-session/express. The engine knows no
   * HTTP: the adapter is loaded on first use, so importing the engine loads no adapter.
   */
  get express(): NodeMiddleware {
    let middleware = seedMiddlewares.get(this);
    if (middleware === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const adapter = require('../../integrations/express') as { expressTokenSession(sessions: TokenSession<T>): unknown };
      middleware = adapter.expressTokenSession(this) as NodeMiddleware;
      seedMiddlewares.set(this, middleware);
    }
    return middleware;
  }

  private async create(data: T, ttlSeconds: number | undefined): Promise<NewSession<T>> {
    const ttlMs = ttlSeconds === undefined ? this.records.defaultTtlMs : ttlMsOf(ttlSeconds);
    const token = this.records.newToken();
    const fresh = { ttlMs, createdAt: Date.now() };
    const { record } = await this.records.commit(intent(null, this.records.keyOf(token), { fresh, data }), null);
    return { sid: token, sessionId: token, data: copyData(record!.data) };
  }

  /**
   * A read that never writes is a plain read. One that may touch is read under the session's
   * queue and planned on that read: one round trip, two when the touch is due.
   */
  private async load(sid: string, touch: TouchRequest): Promise<T | null> {
    assertToken(sid);
    const record = touch === 'never'
      ? (await this.records.findShaped(sid))?.record ?? null
      : (await this.#commitTo(sid, (key) => intent(key, key, { touch }))).record;
    return record === null ? null : copyData(record.data);
  }

  private async replace(sid: string, data: T, ttlSeconds: number | undefined): Promise<void> {
    const ttlMs = ttlSeconds === undefined ? undefined : ttlMsOf(ttlSeconds);
    const { reason } = await this.#commitTo(sid, (key) => intent(key, key, { data, baseline: null, ttlMs }));
    if (reason === 'gone') throw notFound();
  }

  private async restart(sid: string): Promise<boolean> {
    const { reason } = await this.#commitTo(sid, (key) => intent(key, key, { touch: 'force' }));
    return reason === 'touch';
  }

  private async remove(sid: string): Promise<boolean> {
    const { reason } = await this.#commitTo(sid, (key) => intent(key, null));
    return reason === 'erase';
  }

  private async move(sid: string): Promise<string> {
    const token = this.records.newToken();
    const { reason } = await this.#commitTo(sid, (key) => intent(key, this.records.keyOf(token)));
    if (reason === 'gone') throw notFound();
    return token;
  }

  /** Commits an intent on the session of `sid`, read under the commit's queue (a malformed token throws first). */
  #commitTo(sid: string, intentFor: (key: string) => CommitIntent<T>) {
    assertToken(sid);
    return this.records.commit(intentFor(this.records.keyOf(sid)), undefined);
  }
}

const seedMiddlewares = new WeakMap<TokenSession<any>, NodeMiddleware>();

function notFound(): TokenSessionError {
  return new TokenSessionError('ERR_SESSION_NOT_FOUND', 'no live session for this token (never issued, destroyed or expired)');
}

TokenSession.prototype.newSession = TokenSession.prototype.new;
TokenSession.prototype.getNtouch = TokenSession.prototype.getAndTouch;
