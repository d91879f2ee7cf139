import { TokenSessionError } from '../errors';
import { Store } from '../store/base-store';
import type { ExpressSessionStore } from '../store/types';
import { settle, type Callback } from './callback';
import { copyData } from './data';
import { OneTimeTokens } from './one-time-tokens';
import { resolveOptions, type TokenSessionOptions } from './options';
import { Owners, type SessionInfo } from './owners';
import { SessionStore, type LoadedSession } from './session-store';
import { ttlMsOf } from './ttl';

export type { SessionInfo } from './owners';
export type { Lifetime, LoadedSession } from './session-store';
export { ttlMsOf } from './ttl';

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
  /** @internal How sessions are kept; the request lifecycle commits through it. */
  readonly records: SessionStore<T>;
  readonly #owners: Owners<T>;
  readonly #once: OneTimeTokens<T>;
  readonly #autoTouch: boolean;

  constructor(options?: TokenSessionOptions) {
    const resolved = resolveOptions(options);
    this.store = resolved.store;
    this.records = new SessionStore<T>(resolved);
    this.#owners = new Owners(this.records, resolved);
    this.#once = new OneTimeTokens(this.records, resolved);
    this.#autoTouch = resolved.autoTouch;
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
    return settle(this.load(sid, this.#autoTouch), callback);
  }

  /** The session's data, or `null`; restarts its idle TTL (written when `touchAfter` allows). Alias: `getNtouch`. */
  getAndTouch(sid: string): Promise<T | null>;
  getAndTouch(sid: string, callback: Callback<T | null>): void;
  getAndTouch(sid: string, callback?: Callback<T | null>) {
    return settle(this.load(sid, true), callback);
  }
  declare getNtouch: TokenSession<T>['getAndTouch'];

  /** The session's data, or `null`; never writes. */
  getNotTouch(sid: string): Promise<T | null>;
  getNotTouch(sid: string, callback: Callback<T | null>): void;
  getNotTouch(sid: string, callback?: Callback<T | null>) {
    return settle(this.load(sid, false), callback);
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

  /** Restarts the idle TTL (written when `touchAfter` allows); `false` when there is no such session. */
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

  private async create(data: T, ttlSeconds: number | undefined): Promise<NewSession<T>> {
    const ttlMs = ttlSeconds === undefined ? this.records.defaultTtlMs : ttlMsOf(ttlSeconds);
    const stored = this.records.storable(data);
    const token = this.records.newToken();
    await this.records.persist(this.records.keyOf(token), stored, { ttlMs, createdAt: Date.now() });
    return { sid: token, sessionId: token, data: copyData(stored) };
  }

  private async load(sid: string, touch: boolean): Promise<T | null> {
    const found = await this.records.find(sid);
    if (!found) return null;
    if (touch) await this.records.touchIfDue(found);
    return copyData(found.record.data);
  }

  private async replace(sid: string, data: T, ttlSeconds: number | undefined): Promise<void> {
    const ttlMs = ttlSeconds === undefined ? undefined : ttlMsOf(ttlSeconds);
    const stored = this.records.storable(data);
    const { key, record } = await this.findOrFail(sid);
    const { createdAt, ttlMs: ownTtlMs } = this.records.lifetimeOf(record);
    await this.records.persist(key, stored, { ttlMs: ttlMs ?? ownTtlMs, createdAt });
  }

  private async restart(sid: string): Promise<boolean> {
    const found = await this.records.find(sid);
    if (!found) return false;
    await this.records.touchIfDue(found);
    return true;
  }

  private async remove(sid: string): Promise<boolean> {
    const found = await this.records.find(sid);
    if (!found) return false;
    await this.records.erase(found.key);
    return true;
  }

  private async move(sid: string): Promise<string> {
    const { key, record } = await this.findOrFail(sid);
    const token = this.records.newToken();
    await this.records.moveRecord(key, this.records.keyOf(token), record.data, this.records.lifetimeOf(record));
    return token;
  }

  private async findOrFail(sid: string): Promise<LoadedSession<T>> {
    const found = await this.records.find(sid);
    if (!found) throw new TokenSessionError('ERR_SESSION_NOT_FOUND', 'no live session for this token (never issued, destroyed or expired)');
    return found;
  }
}

TokenSession.prototype.newSession = TokenSession.prototype.new;
TokenSession.prototype.getNtouch = TokenSession.prototype.getAndTouch;
