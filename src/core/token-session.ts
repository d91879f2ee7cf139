import { debuglog } from 'node:util';
import { TokenSessionError } from '../errors';
import { Store } from '../store/base-store';
import { toPromiseStore, type PromiseStore } from '../store/promise-store';
import { buildRecord, expiresAt, isLive, isSessionRecord, isTouchDue, restartRecord, type RecordMarks, type SessionRecord } from '../store/record';
import type { ExpressSessionStore } from '../store/types';
import { settle, type Callback } from './callback';
import { copyData, toStorableData } from './data';
import { isValidTtl, resolveOptions, type ResolvedOptions, type TokenSessionOptions } from './options';
import { assertToken, issueToken, onceKeyOf, publicIdOf, storeKeyOf } from './tokens';

const debug = debuglog('token-session');

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

/** One of an owner's sessions, as `list` shows it. `id` is a public id, never the token. */
export interface SessionInfo<T> {
  id: string;
  data: T;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  expiresAt: number;
}

/** How long a session lives: its own idle TTL, and when it began (for `absoluteTtl`). */
export interface Lifetime {
  ttlMs: number;
  createdAt: number;
}

/** A live session as read from the store, under its store key. */
export interface LoadedSession<T> {
  key: string;
  record: SessionRecord<T>;
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
  private readonly options: ResolvedOptions;
  private readonly backend: PromiseStore;

  constructor(options?: TokenSessionOptions) {
    this.options = resolveOptions(options);
    this.store = this.options.store;
    this.backend = toPromiseStore(this.store, this.options.storeTimeout);
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
    return settle(this.load(sid, this.options.autoTouch), callback);
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
    return settle(this.ownedSessions(owner).then((found) => found.map(toInfo)), callback);
  }

  /** Ends every session of `owner` ("log out everywhere"); resolves to how many there were. */
  destroyAll(owner: string): Promise<number>;
  destroyAll(owner: string, callback: Callback<number>): void;
  destroyAll(owner: string, callback?: Callback<number>) {
    return settle(this.removeOwned(owner), callback);
  }

  /** Ends one session by its public id (from `list`); `true` if a live session was removed. */
  destroyById(id: string): Promise<boolean>;
  destroyById(id: string, callback: Callback<boolean>): void;
  destroyById(id: string, callback?: Callback<boolean>) {
    return settle(this.removeById(id), callback);
  }

  /**
   * A one-time token for a time-limited link or code (email verification, password reset). It
   * is never a session token: `get` and the middleware do not accept it.
   */
  newOnce(data: T, ttlSeconds: number): Promise<string>;
  newOnce(data: T, ttlSeconds: number, callback: Callback<string>): void;
  newOnce(data: T, ttlSeconds: number, callback?: Callback<string>) {
    return settle(this.issueOnce(data, ttlSeconds), callback);
  }

  /**
   * The data of a one-time token, exactly once: every later call, and every call that loses a
   * race for it, gets `null` (across processes with `redisIndex`).
   */
  consume(token: string): Promise<T | null>;
  consume(token: string, callback: Callback<T | null>): void;
  consume(token: string, callback?: Callback<T | null>) {
    return settle(this.claimOnce(token), callback);
  }

  private async create(data: T, ttlSeconds: number | undefined): Promise<NewSession<T>> {
    const ttlMs = ttlSeconds === undefined ? this.options.ttlMs : ttlMsOf(ttlSeconds);
    const stored = this.storable(data);
    const token = this.newToken();
    await this.persist(this.keyOf(token), stored, { ttlMs, createdAt: Date.now() });
    return { sid: token, sessionId: token, data: copyData(stored) };
  }

  private async load(sid: string, touch: boolean): Promise<T | null> {
    const found = await this.find(sid);
    if (!found) return null;
    if (touch && this.isTouchDue(found.record)) await this.restartTtl(found);
    return copyData(found.record.data);
  }

  private async replace(sid: string, data: T, ttlSeconds: number | undefined): Promise<void> {
    const ttlMs = ttlSeconds === undefined ? undefined : ttlMsOf(ttlSeconds);
    const stored = this.storable(data);
    const { key, record } = await this.findOrFail(sid);
    const { createdAt, ttlMs: ownTtlMs } = this.lifetimeOf(record);
    await this.persist(key, stored, { ttlMs: ttlMs ?? ownTtlMs, createdAt });
  }

  private async restart(sid: string): Promise<boolean> {
    const found = await this.find(sid);
    if (!found) return false;
    if (this.isTouchDue(found.record)) await this.restartTtl(found);
    return true;
  }

  private async remove(sid: string): Promise<boolean> {
    const found = await this.find(sid);
    if (!found) return false;
    await this.erase(found.key);
    return true;
  }

  private async move(sid: string): Promise<string> {
    const { key, record } = await this.findOrFail(sid);
    const token = this.newToken();
    await this.moveRecord(key, this.keyOf(token), record.data, this.lifetimeOf(record));
    return token;
  }

  private async ownedSessions(owner: string): Promise<Array<LoadedSession<T> & { id: string }>> {
    const name = this.ownerName(owner);
    const entries = await this.options.index.owned(name);
    const found = await Promise.all(
      entries.map(async ({ id, key }) => {
        const record = await this.readLive(key);
        if (record && !record.once && record.owner === name) return { id, key, record: record as SessionRecord<T> };
        await this.options.index.remove(id);
        return null;
      }),
    );
    return found.filter((session) => session !== null);
  }

  private async removeOwned(owner: string): Promise<number> {
    const sessions = await this.ownedSessions(owner);
    await Promise.all(sessions.map(({ key }) => this.erase(key)));
    return sessions.length;
  }

  private async removeById(id: string): Promise<boolean> {
    if (typeof id !== 'string' || id === '') throw new TokenSessionError('ERR_INVALID_TOKEN', 'a session id must be a non-empty string');
    const key = await this.options.index.keyOf(id);
    const record = key === null ? null : await this.readLive(key);
    if (!record || record.once) return false;
    await this.erase(key!);
    return true;
  }

  private async issueOnce(data: T, ttlSeconds: number): Promise<string> {
    const ttlMs = ttlMsOf(ttlSeconds);
    const stored = this.storable(data);
    const token = this.newToken();
    const now = Date.now();
    await this.write(onceKeyOf(token, this.options.hashTokens), buildRecord(stored, ttlMs, now, now, this.options, { once: true }));
    return token;
  }

  private async claimOnce(token: string): Promise<T | null> {
    assertToken(token);
    const key = onceKeyOf(token, this.options.hashTokens);
    const record = await this.readLive(key);
    // Only the one caller that wins the claim gets the data, however many read the record.
    if (!record?.once || !(await this.options.index.claim(key, expiresAt(record)))) return null;
    await this.backend.destroy(key).catch((err: unknown) => debug('removing a consumed one-time token failed: %o', err));
    return copyData(record.data as T);
  }

  private async findOrFail(sid: string): Promise<LoadedSession<T>> {
    const found = await this.find(sid);
    if (!found) throw new TokenSessionError('ERR_SESSION_NOT_FOUND', 'no live session for this token (never issued, destroyed or expired)');
    return found;
  }

  // The primitives below are shared with the request lifecycle (src/http), which keeps one
  // request's session in memory and commits it once; they are not part of the public API.

  /** @internal The live session of a token, or `null`. Checks the token's shape before any store call. */
  async find(sid: string): Promise<LoadedSession<T> | null> {
    assertToken(sid);
    const key = this.keyOf(sid);
    const record = await this.readLive(key);
    return record && !record.once ? { key, record: record as SessionRecord<T> } : null;
  }

  /** The live record under `key`, or `null`; a dead one is dropped on the way. */
  private async readLive(key: string): Promise<SessionRecord | null> {
    const value = await this.backend.get(key);
    if (value === null) return null;
    if (!isSessionRecord(value)) {
      debug('ignoring a value that is not a session record under a token key');
      return null;
    }
    if (!isLive(value, Date.now(), this.options)) {
      // Some stores never expire anything themselves; the dead record goes now, off the caller's path.
      this.erase(key).catch((err: unknown) => debug('dropping an expired session failed: %o', err));
      return null;
    }
    return value;
  }

  /** @internal Writes `data` (already checked by `storable`) as the session under `key`. */
  async persist(key: string, data: T, { ttlMs, createdAt }: Lifetime): Promise<void> {
    const owner = this.ownerOf(data);
    await this.write(key, buildRecord(data, ttlMs, createdAt, Date.now(), this.options, owner === undefined ? {} : { owner }));
  }

  /**
   * @internal Writes the session under `toKey`, then removes `fromKey`. The old token must not
   * outlive the move: if it cannot be removed, the new record is removed again and the error
   * thrown, rather than leave two live tokens.
   */
  async moveRecord(fromKey: string, toKey: string, data: T, lifetime: Lifetime): Promise<void> {
    await this.persist(toKey, data, lifetime);
    try {
      await this.erase(fromKey);
    } catch (err) {
      await this.erase(toKey).catch((undoErr: unknown) => debug('undoing a moved session failed: %o', undoErr));
      throw err;
    }
  }

  /** @internal Whether a touch now would be worth a store write (see `touchAfter`). */
  isTouchDue(record: SessionRecord<T>): boolean {
    return isTouchDue(record, Date.now(), this.options.touchAfterMs, this.options);
  }

  /** @internal Restarts the idle TTL: a full rewrite of the record with a new expiry. */
  async restartTtl({ key, record }: LoadedSession<T>): Promise<void> {
    await this.write(key, restartRecord(record, Date.now(), this.options));
  }

  /** @internal The TTL and creation time a loaded session keeps when rewritten or moved. */
  lifetimeOf(record: SessionRecord<T>): Lifetime {
    return { ttlMs: record.cookie.originalMaxAge, createdAt: record.createdAt };
  }

  /** @internal Removes the session under `key`, and its owner-index entry. */
  async erase(key: string): Promise<void> {
    await this.backend.destroy(key);
    if (this.options.ownerKey !== undefined) await this.options.index.remove(publicIdOf(key));
  }

  /** @internal A fresh token from `genid`. */
  newToken(req?: unknown): string {
    return issueToken(this.options.genid, req);
  }

  /** @internal The store key of a token. */
  keyOf(token: string): string {
    return storeKeyOf(token, this.options.hashTokens);
  }

  /** @internal A checked copy of `data`, ready to store (throws `ERR_INVALID_DATA`). */
  storable(data: T): T {
    return toStorableData(data, this.options.maxDataBytes);
  }

  /** @internal The idle TTL of new sessions, ms. */
  get defaultTtlMs(): number {
    return this.options.ttlMs;
  }

  /**
   * Every write goes through here: a touch is a full rewrite too, never `store.touch`, because
   * connect-redis' and connect-pg-simple's `touch` move only the store's own expiry and leave
   * the record's `cookie.expires` stale.
   */
  private async write(key: string, record: SessionRecord<T>): Promise<void> {
    // Indexed first: a session the index misses would survive "log out everywhere"; an index
    // entry whose write failed is only a dead entry, dropped when it is next listed.
    if (record.owner !== undefined) {
      await this.options.index.add(record.owner, publicIdOf(key), key, expiresAt(record));
    }
    const ttlSeconds = record.cookie.maxAge / 1000;
    await this.backend.set(key, this.options.hackttl(record, ttlSeconds, this.store));
  }

  private ownerName(owner: unknown): string {
    if (this.options.ownerKey === undefined) {
      throw new TokenSessionError('ERR_OPTIONS', 'list, destroyAll and destroyById need the ownerKey option');
    }
    if ((typeof owner !== 'string' || owner === '') && typeof owner !== 'number') {
      throw new TokenSessionError('ERR_INVALID_DATA', `an owner must be a non-empty string or a number, got ${typeof owner}`);
    }
    return String(owner);
  }

  private ownerOf(data: T): string | undefined {
    const { ownerKey } = this.options;
    if (ownerKey === undefined) return undefined;
    const owner = (data as Record<string, unknown>)[ownerKey];
    return typeof owner === 'string' || typeof owner === 'number' ? String(owner) : undefined;
  }
}

TokenSession.prototype.newSession = TokenSession.prototype.new;

function toInfo<T>({ id, record }: { id: string; record: SessionRecord<T> }): SessionInfo<T> {
  return { id, data: copyData(record.data), createdAt: record.createdAt, expiresAt: expiresAt(record) };
}
TokenSession.prototype.getNtouch = TokenSession.prototype.getAndTouch;

/** @internal A per-call TTL in seconds, checked, as ms (throws `ERR_INVALID_TTL`). */
export function ttlMsOf(ttlSeconds: unknown): number {
  if (!isValidTtl(ttlSeconds)) {
    throw new TokenSessionError('ERR_INVALID_TTL', `a TTL must be a positive, finite number of seconds (got ${String(ttlSeconds)})`);
  }
  return ttlSeconds * 1000;
}
