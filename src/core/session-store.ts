import { debuglog } from 'node:util';
import { toPromiseStore, type PromiseStore } from '../store/promise-store';
import { buildRecord, expiresAt, isLive, isSessionRecord, isTouchDue, restartRecord, type SessionRecord } from '../store/record';
import type { ResolvedOptions } from './options';
import { toStorableData } from './data';
import { assertToken, issueToken, publicIdOf, storeKeyOf } from './tokens';

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
 * lifecycle (src/http) commits through it; it is not part of the public API.
 */
export class SessionStore<T> {
  readonly #options: ResolvedOptions;
  readonly #backend: PromiseStore;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#backend = toPromiseStore(options.store, options.storeTimeout);
  }

  /** The live session of a token, or `null`. Checks the token's shape before any store call. */
  async find(sid: string): Promise<LoadedSession<T> | null> {
    assertToken(sid);
    const key = this.keyOf(sid);
    const record = await this.readLive(key);
    return record && !record.once ? { key, record: record as SessionRecord<T> } : null;
  }

  /** The live record under `key`, or `null`; a dead one is dropped on the way. */
  async readLive(key: string): Promise<SessionRecord | null> {
    const value = await this.#backend.get(key);
    if (value === null) return null;
    if (!isSessionRecord(value)) {
      debug('ignoring a value that is not a session record under a token key');
      return null;
    }
    if (!isLive(value, Date.now(), this.#options)) {
      // Some stores never expire anything themselves; the dead record goes now, off the caller's path.
      this.erase(key).catch((err: unknown) => debug('dropping an expired session failed: %o', err));
      return null;
    }
    return value;
  }

  /** Writes `data` (already checked by `storable`) as the session under `key`. */
  async persist(key: string, data: T, { ttlMs, createdAt }: Lifetime): Promise<void> {
    const owner = this.ownerOf(data);
    await this.write(key, buildRecord(data, ttlMs, createdAt, Date.now(), this.#options, owner === undefined ? {} : { owner }));
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
      await this.erase(toKey).catch((undoErr: unknown) => debug('undoing a moved session failed: %o', undoErr));
      throw err;
    }
  }

  /** Whether a touch now would be worth a store write (see `touchAfter`). */
  isTouchDue(record: SessionRecord<T>): boolean {
    return isTouchDue(record, Date.now(), this.#options.touchAfterMs, this.#options);
  }

  /** Restarts the idle TTL: a full rewrite of the record with a new expiry. */
  async restartTtl({ key, record }: LoadedSession<T>): Promise<void> {
    await this.write(key, restartRecord(record, Date.now(), this.#options));
  }

  /** The TTL and creation time a loaded session keeps when rewritten or moved. */
  lifetimeOf(record: SessionRecord<T>): Lifetime {
    return { ttlMs: record.cookie.originalMaxAge, createdAt: record.createdAt };
  }

  /** Removes the session under `key`, and its owner-index entry. */
  async erase(key: string): Promise<void> {
    await this.#backend.destroy(key);
    if (this.#options.ownerKey !== undefined) await this.#options.index.remove(publicIdOf(key));
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
  async write(key: string, record: SessionRecord<T>): Promise<void> {
    // Indexed first: a session the index misses would survive "log out everywhere"; an index
    // entry whose write failed is only a dead entry, dropped when it is next listed.
    if (record.owner !== undefined) {
      await this.#options.index.add(record.owner, publicIdOf(key), key, expiresAt(record));
    }
    const ttlSeconds = record.cookie.maxAge / 1000;
    await this.#backend.set(key, this.#options.hackttl(record, ttlSeconds, this.#options.store));
  }

  private ownerOf(data: T): string | undefined {
    const { ownerKey } = this.#options;
    if (ownerKey === undefined) return undefined;
    const owner = (data as Record<string, unknown>)[ownerKey];
    return typeof owner === 'string' || typeof owner === 'number' ? String(owner) : undefined;
  }
}
