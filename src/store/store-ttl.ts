// How each record's own TTL reaches a store that keeps a TTL of its own: the built-in hooks, a user's `hackttl`, 1.x's hackttl, and the TTL a store was configured with.
import { TokenSessionError } from '../errors';
import { isSessionRecord, type SessionRecord } from './record';
import type { ExpressSessionStore } from './types';

/**
 * `(record, ttlSeconds, store) => record`: how a per-session TTL reaches a store that has only
 * one global TTL. Called before every write with the seconds the record has left; what it
 * returns is what the store receives, and must be a session record.
 */
export type HackTtl = (record: SessionRecord, ttlSeconds: number, store: ExpressSessionStore) => SessionRecord;

/**
 * token-session 1.x's hackttl, `(obj, ttl?)` with `obj.store` the store: given a ttl it set
 * the store's one TTL to it; without one it returned that TTL. 1.x called it that way around
 * every write with its own TTL: read the TTL, set the session's, write, set the old one back.
 */
type SeedHackTtl = (obj: { store: ExpressSessionStore }, ttl?: unknown) => unknown;

/** Hands `record` to `write` with the store set up to keep it for `ttlSeconds`, and answers what `write` answers. */
export type WriteWithTtl = <R>(record: SessionRecord, ttlSeconds: number, write: (record: SessionRecord) => R) => R;

/** The one way records reach this store, decided once per engine from the `hackttl` option and the store. */
export function writeWithTtl(hackttl: HackTtl | SeedHackTtl | undefined, store: ExpressSessionStore): WriteWithTtl {
  if (hackttl === undefined) return builtInHook(store);
  if (isSeedHackTtl(hackttl, store)) return seedHook(hackttl, store);
  const hook = hackttl as HackTtl;
  return (record, ttlSeconds, write) => {
    const result: unknown = hook(record, ttlSeconds, store);
    if (!isSessionRecord(result)) {
      // Stored, it would be a session nobody can read again: refuse it loudly instead.
      throw new TokenSessionError(
        'ERR_OPTIONS',
        `option "hackttl" must return the session record it is given (or a copy with the same cookie, data and createdAt), got ${describe(result)}; nothing was written`,
      );
    }
    return write(result);
  };
}

/**
 * A 1.x hackttl, told apart by the call 1.x itself made first: given an object with only
 * `store` and no ttl, it answers the store's TTL (a number, or nothing). A hackttl of today,
 * given no record, throws or answers an object.
 */
function isSeedHackTtl(hackttl: HackTtl | SeedHackTtl, store: ExpressSessionStore): hackttl is SeedHackTtl {
  try {
    const answer: unknown = (hackttl as SeedHackTtl)({ store });
    return answer === undefined || answer === null || typeof answer === 'number' || typeof answer === 'string';
  } catch {
    return false;
  }
}

function seedHook(hackttl: SeedHackTtl, store: ExpressSessionStore): WriteWithTtl {
  const engine = { store };
  return (record, ttlSeconds, write) => {
    const storeTtl = hackttl(engine);
    hackttl(engine, wholeSeconds(ttlSeconds));
    try {
      // Stores read their TTL as `set` is called, so it can be set back as soon as `set` returns.
      return write(record);
    } finally {
      hackttl(engine, storeTtl);
    }
  };
}

/** Stores round a TTL to whole seconds; a record with any time left is kept at least one. */
function wholeSeconds(ttlSeconds: number): number {
  return Math.max(1, Math.ceil(ttlSeconds));
}

/**
 * The built-in hooks. Most stores need none: they read `cookie.expires` or `cookie.maxAge`.
 * Three keep a TTL of their own that wins over the cookie: session-memory-store's node-cache
 * (one `stdTTL`), connect-redis up to 3 (its `ttl` option) and memorystore (its `ttl` option, ms).
 */
function builtInHook(store: ExpressSessionStore): WriteWithTtl {
  const cache: unknown = store['store'];
  if (isNodeCache(cache)) {
    if (!cache[PER_KEY_TTL]) giveNodeCachePerKeyTtl(cache);
  } else {
    const own = ownTtlThatWins(store);
    if (own !== undefined) {
      return (record, ttlSeconds, write) => {
        const configured = own.read();
        own.set(wholeSeconds(ttlSeconds) * own.perSecond);
        try {
          return write(record);
        } finally {
          own.set(configured);
        }
      };
    }
  }
  return (record, _ttlSeconds, write) => write(record);
}

/** Where a store keeps a TTL of its own that it prefers to the cookie's, and how many of its units make a second. */
interface OwnTtl {
  read(): unknown;
  set(value: unknown): void;
  perSecond: number;
}

function ownTtlThatWins(store: ExpressSessionStore): OwnTtl | undefined {
  // connect-redis <= 3 (no `_getTTL`, which 4 and later have): a number or string `ttl` beats `cookie.maxAge`.
  if (isConfiguredTtl(store['ttl']) && 'disableTTL' in store && typeof store['_getTTL'] !== 'function') {
    return { read: () => store['ttl'], set: (value) => (store['ttl'] = value), perSecond: 1 };
  }
  // memorystore: `options.ttl`, in ms, beats `cookie.maxAge`.
  const options = store['options'] as { ttl?: unknown } | undefined;
  if (isMemorystore(store) && options && typeof options.ttl === 'number') {
    return { read: () => options.ttl, set: (value) => (options.ttl = value), perSecond: 1000 };
  }
  return undefined;
}

function isConfiguredTtl(value: unknown): boolean {
  return (typeof value === 'number' && value > 0) || (typeof value === 'string' && Number(value) > 0);
}

function isMemorystore(store: ExpressSessionStore): boolean {
  return typeof store['startInterval'] === 'function' && typeof store['stopInterval'] === 'function' && typeof store['prune'] === 'function';
}

/**
 * The idle TTL in seconds a store was configured with, where it exposes one: 1.x took the
 * store's TTL as the sessions' (connect-redis and connect-pg-simple `ttl`, memorystore `ttl`
 * in ms, session-memory-store `expires`, which becomes its node-cache's `stdTTL`).
 */
export function configuredTtlSeconds(store: ExpressSessionStore): number | undefined {
  const cache: unknown = store['store'];
  if (isNodeCache(cache)) return positive(cache.options?.stdTTL);
  if (isMemorystore(store)) {
    const ms = positive((store['options'] as { ttl?: unknown } | undefined)?.ttl);
    return ms === undefined ? undefined : ms / 1000;
  }
  const ttl: unknown = store['ttl'];
  return positive(typeof ttl === 'string' ? Number(ttl) : ttl);
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

const PER_KEY_TTL = Symbol('token-session.perKeyTtl');

interface NodeCacheLike {
  set(key: string, value: unknown, ttlOrCallback?: unknown, callback?: unknown): unknown;
  ttl(key: string, seconds: number): unknown;
  getTtl(key: string): unknown;
  options?: { stdTTL?: unknown };
  [PER_KEY_TTL]?: true;
}

function isNodeCache(value: unknown): value is NodeCacheLike {
  if (typeof value !== 'object' || value === null) return false;
  const cache = value as Partial<NodeCacheLike>;
  return typeof cache.set === 'function' && typeof cache.ttl === 'function' && typeof cache.getTtl === 'function';
}

/**
 * session-memory-store gives every key its node-cache's one `stdTTL`. The cache is made to
 * take each value's TTL from its `cookie.maxAge` instead, once per cache, covering every
 * later write (the store's own `touch` included).
 */
function giveNodeCachePerKeyTtl(cache: NodeCacheLike): void {
  const setWithDefaultTtl = cache.set.bind(cache);
  cache.set = function setWithRecordTtl(key, value, ttlOrCallback, callback) {
    // session-memory-store calls set(key, value, callback): no TTL of its own to respect.
    if (typeof ttlOrCallback === 'function' && callback === undefined) {
      const seconds = recordTtlSeconds(value);
      if (seconds !== undefined) return setWithDefaultTtl(key, value, seconds, ttlOrCallback);
    }
    return setWithDefaultTtl(key, value, ttlOrCallback, callback);
  };
  cache[PER_KEY_TTL] = true;
}

function recordTtlSeconds(value: unknown): number | undefined {
  const maxAge = (value as { cookie?: { maxAge?: unknown } } | null)?.cookie?.maxAge;
  // node-cache reads a TTL of 0 as "forever"; a record with no time left gets the least it can hold.
  return typeof maxAge === 'number' && maxAge > 0 ? wholeSeconds(maxAge / 1000) : undefined;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  return Array.isArray(value) ? 'an array' : 'an object that is not a session record';
}
