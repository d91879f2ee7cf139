import { debuglog } from 'node:util';
import { andThen, isPromise, type Maybe } from '../maybe';
import { toStoreCalls, type StoreCalls } from '../store/store-calls';
import { buildRecord, expiresAt, isLive, isSessionRecord, isTouchDue, restartRecord, type SessionRecord } from '../store/record';
import type { ResolvedOptions } from './options';
import { applyChanges, toStorableData, type DataChanges } from './data';
import { SerialByKey } from './serial';
import { assertToken, defaultGenId, issueToken, publicIdOf, storeKeyOf } from './tokens';

const debug = debuglog('token-session');

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
 * How sessions are kept: tokens to keys, records in and out of the store, the owner index kept
 * in step with every write. `TokenSession` builds its public API on this, and the request
 * lifecycle (src/http) commits through it; it is not part of the public API. Its calls answer
 * at once when the store does (see Maybe); a malformed token throws at once.
 */
export class SessionStore<T> {
  readonly #options: ResolvedOptions;
  readonly #backend: StoreCalls;
  /** Read-then-write commits of one session, one at a time in this process. */
  readonly #commits = new SerialByKey();

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#backend = toStoreCalls(options.store, options.storeTimeout);
  }

  /** The live session of a token, or `null`. Checks the token's shape before any store call. */
  find(sid: string): Maybe<LoadedSession<T> | null> {
    assertToken(sid);
    return this.findShaped(sid);
  }

  /**
   * `find` for a token the caller has already checked with `isTokenShaped` (the request path
   * does, to tell a malformed token from an unknown one without an exception).
   */
  findShaped(sid: string): Maybe<LoadedSession<T> | null> {
    const key = this.keyOf(sid);
    return andThen(this.readLive(key), (record) => (record && !record.once ? { key, record: record as SessionRecord<T> } : null));
  }

  /** The live record under `key`, or `null`; a dead one is dropped on the way. */
  readLive(key: string): Maybe<SessionRecord | null> {
    return andThen(this.#backend.get(key), (value) => this.#liveRecord(key, value));
  }

  #liveRecord(key: string, value: unknown): SessionRecord | null {
    if (value === null) return null;
    if (!isSessionRecord(value)) {
      debug('ignoring a value that is not a session record under a token key');
      return null;
    }
    if (!isLive(value, Date.now(), this.#options)) {
      // Some stores never expire anything themselves; the dead record goes now, off the caller's path.
      const erased = this.erase(key);
      if (isPromise(erased)) erased.catch((err: unknown) => debug('dropping an expired session failed: %o', err));
      return null;
    }
    return value;
  }

  /** Writes `data` (already checked by `storable`) as the session under `key`. */
  persist(key: string, data: T, { ttlMs, createdAt }: Lifetime): Maybe<void> {
    const owner = this.ownerOf(data);
    return this.write(key, buildRecord(data, ttlMs, createdAt, Date.now(), this.#options, owner === undefined ? {} : { owner }));
  }

  /**
   * Writes the session under `toKey`, then removes `fromKey`. The old token must not
   * outlive the move: if it cannot be removed, the new record is removed again and the error
   * thrown, rather than leave two live tokens.
   */
  async moveRecord(fromKey: string, toKey: string, data: T, lifetime: Lifetime): Promise<void> {
    await this.persist(toKey, data, lifetime);
    try {
      await this.erase(fromKey);
    } catch (err) {
      await Promise.resolve(this.erase(toKey)).catch((undoErr: unknown) => debug('undoing a moved session failed: %o', undoErr));
      throw err;
    }
  }

  /**
   * Applies a request's changes to the session as the store has it now, not as the request
   * loaded it: another request may have changed other keys since, or destroyed it. Under
   * `toKey` (a regenerate moved it) or in place. Resolves to `false`, writing nothing, when the
   * session is gone: a late commit never brings back a session that was destroyed or expired.
   */
  mergeChanges(fromKey: string, toKey: string, changes: DataChanges): Maybe<boolean> {
    return this.#commits.run(fromKey, () => andThen(this.readLive(fromKey), (current) => {
      if (!current || current.once) return false;
      const data = this.storable(applyChanges(current.data as T, changes));
      const lifetime = this.lifetimeOf(current as SessionRecord<T>);
      const written = fromKey === toKey ? this.persist(toKey, data, lifetime) : this.moveRecord(fromKey, toKey, data, lifetime);
      return andThen(written, () => true);
    }));
  }

  /**
   * Restarts the idle TTL of the session as the store has it now: a touch writes the whole
   * record, and the one loaded at the start of a request may be stale or destroyed by its end.
   * Unless `force`d, only when still due (another request may have touched it meanwhile).
   */
  refresh(key: string, force: boolean): Maybe<void> {
    return this.#commits.run(key, () => andThen(this.readLive(key), (current) => {
      if (!current || current.once || !(force || this.isTouchDue(current as SessionRecord<T>))) return undefined;
      return this.restartTtl({ key, record: current as SessionRecord<T> });
    }));
  }

  /** Whether a touch now would be worth a store write (see `touchAfter`). */
  isTouchDue(record: SessionRecord<T>): boolean {
    return isTouchDue(record, Date.now(), this.#options.touchAfterMs, this.#options);
  }

  /** Restarts the idle TTL if `touchAfter` allows it (the programmatic API's touch). */
  touchIfDue(found: LoadedSession<T>): Maybe<void> {
    return this.isTouchDue(found.record) ? this.restartTtl(found) : undefined;
  }

  /** Restarts the idle TTL: a full rewrite of the record with a new expiry. */
  restartTtl({ key, record }: LoadedSession<T>): Maybe<void> {
    return this.write(key, restartRecord(record, Date.now(), this.#options));
  }

  /** The TTL and creation time a loaded session keeps when rewritten or moved. */
  lifetimeOf(record: SessionRecord<T>): Lifetime {
    return { ttlMs: record.cookie.originalMaxAge, createdAt: record.createdAt };
  }

  /** Removes the session under `key`, and its owner-index entry. */
  erase(key: string): Maybe<void> {
    const destroyed = this.#backend.destroy(key);
    if (this.#options.ownerKey === undefined) return destroyed;
    return andThen(destroyed, () => this.#options.index.remove(publicIdOf(key)));
  }

  /** Whether `genid` is the user's own, which may read the request; the default does not. */
  get genidReadsRequest(): boolean {
    return this.#options.genid !== defaultGenId;
  }

  /** A fresh token from `genid`. */
  newToken(req?: unknown): string {
    return issueToken(this.#options.genid, req);
  }

  /** The store key of a token. */
  keyOf(token: string): string {
    return storeKeyOf(token, this.#options.hashTokens);
  }

  /** A checked copy of `data`, ready to store (throws `ERR_INVALID_DATA`). */
  storable(data: T): T {
    return toStorableData(data, this.#options.maxDataBytes);
  }

  /** The idle TTL of new sessions, ms. */
  get defaultTtlMs(): number {
    return this.#options.ttlMs;
  }

  /**
   * Every write goes through here: a touch is a full rewrite too, never `store.touch`, because
   * connect-redis' and connect-pg-simple's `touch` move only the store's own expiry and leave
   * the record's `cookie.expires` stale.
   */
  write(key: string, record: SessionRecord<T>): Maybe<void> {
    const store = () => {
      const ttlSeconds = record.cookie.maxAge / 1000;
      return this.#backend.set(key, this.#options.hackttl(record, ttlSeconds, this.#options.store));
    };
    if (record.owner === undefined) return store();
    // Indexed first: a session the index misses would survive "log out everywhere"; an index
    // entry whose write failed is only a dead entry, dropped when it is next listed.
    return andThen(this.#options.index.add(record.owner, publicIdOf(key), key, expiresAt(record)), store);
  }

  private ownerOf(data: T): string | undefined {
    const { ownerKey } = this.#options;
    if (ownerKey === undefined) return undefined;
    const owner = (data as Record<string, unknown>)[ownerKey];
    return typeof owner === 'string' || typeof owner === 'number' ? String(owner) : undefined;
  }
}
