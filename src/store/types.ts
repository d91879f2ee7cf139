// ExpressSessionStore: the shape of any express-session-compatible store.
import type { SessionRecord } from './record';
/** A Node-style callback, as express-session stores call it. */
export type StoreCallback<T = unknown> = (err?: unknown, result?: T) => void;

/**
 * Any express-session-compatible store: the three required methods, each taking a callback,
 * returning a promise, or both. Other methods (`touch`, `all`, `length`, `clear`) are optional.
 */
export interface ExpressSessionStore {
  get(key: string, callback: StoreCallback): unknown;
  set(key: string, record: any, callback: StoreCallback): unknown;
  destroy(key: string, callback: StoreCallback): unknown;
  all?(callback: StoreCallback): unknown;
  length?(callback: StoreCallback<number>): unknown;
  clear?(callback: StoreCallback): unknown;
  touch?(key: string, record: any, callback: StoreCallback): unknown;
  [other: string]: any;
}

/**
 * What one commit changes in a stored session, for a store that applies it itself
 * (`AtomicSessionStore`). Only the request's own changes are in it, never the data as the request
 * read it: the store applies them onto the session as it holds it at that moment.
 */
export interface SessionChange {
  /** The session's store key. */
  key: string;
  /** Its store key afterwards: `key`, or a new one (a new token): the session is written there and `key` removed, in the same step. */
  to: string;
  /** Top-level keys of the session's `data` to set, each to this value (plain JSON values). */
  set: Record<string, unknown>;
  /** Top-level keys of `data` to remove (the engine never names a key in both; were one in both, `set` wins). */
  unset: string[];
  /** `true`: the data becomes `set` exactly, every other key removed (`sessions.set(sid, data)`). */
  replace: boolean;
  /** The session's new idle TTL, in ms; `undefined` keeps its own (`cookie.originalMaxAge`). */
  ttlMs: number | undefined;
  /** The engine's `absoluteTtl`, in ms from the session's `createdAt`, or `undefined` for none. */
  absoluteTtlMs: number | undefined;
  /**
   * The record's `owner` afterwards: a string, `null` for none, or `undefined` to keep the stored
   * one. The engine knows it whenever the change sets or removes the `ownerKey` field, the only
   * changes that can move a session to another owner, and says `undefined` otherwise.
   */
  owner: string | null | undefined;
  /**
   * A new sign-in (`reauthenticate()`): the record's `authenticatedAt` afterwards, epoch ms. Only
   * ever with a new key (`to` not `key`); absent, the stored `authenticatedAt` (if any) stays.
   */
  authenticatedAt?: number;
  /** With the engine's `metadata` option: the record's `meta.lastSeenAt` afterwards (the rest of `meta` stays); absent, `meta` stays as stored. */
  lastSeenAt?: number;
  /**
   * Whether the engine reads the record in the answer. `false` (a request's last commit, with no
   * owner index to keep): the store may answer `true`, "applied", and spare reading the record back.
   */
  returnRecord: boolean;
  /**
   * Epoch ms of the change. The new expiry is `min(now + ttl, createdAt + absoluteTtlMs)`; a
   * session that is not stored, or whose expiry is not after `now`, is not written at all.
   */
  now: number;
}

/**
 * An express-session store that also applies a commit's changes itself, in one step, atomically
 * against every other writer in every process (a Lua script, one SQL statement). When the
 * engine's store has `updateSession`, every commit that builds on a stored session (a change, a
 * touch, a new token) goes through it, with no read of its own first; other stores get the
 * generic path: read, merge, write.
 */
export interface AtomicSessionStore extends ExpressSessionStore {
  /**
   * Optional: the value under `key`, as `get` answers it (`null` for none), for the engine.
   * The engine bounds this call and `updateSession` with its `storeTimeout`, so a store may
   * leave off a timeout of its own that express-session's calls of `get` still need.
   */
  readSession?(key: string): Promise<unknown>;
  /**
   * Applies `change` to the live session under `change.key` and answers the record as it is
   * stored afterwards (its `cookie.expires` a `Date` or an ISO string), or `true` instead when
   * `change.returnRecord` is `false`; or `null` when there was no live session there, in which
   * case nothing is written.
   */
  updateSession(change: SessionChange): Promise<SessionRecord | true | null>;
}

export function isAtomicStore(store: ExpressSessionStore): store is AtomicSessionStore {
  return typeof store['updateSession'] === 'function';
}
