// The default store (session-memory-store) and the built-in hackttl that gives it per-session TTLs.
import sessionMemoryStore = require('session-memory-store');
import { Store } from './base-store';
import type { SessionRecord } from './record';
import type { ExpressSessionStore } from './types';

/**
 * `(record, ttlSeconds, store) => record`: how a per-session TTL reaches a store that has only
 * one global TTL. Called before every write with the seconds the record has left.
 */
export type HackTtl = (record: SessionRecord, ttlSeconds: number, store: ExpressSessionStore) => SessionRecord;

/** The default store: session-memory-store, built on our `Store` base class. */
export function createDefaultStore(ttlSeconds: number): ExpressSessionStore {
  const MemoryStore = sessionMemoryStore({ Store });
  // Its global TTL only matters until the first write reaches the per-key hook below. Its cache
  // sweeps out expired sessions every 10 minutes unless told otherwise: memory held that long
  // after sessions end. Sweeping once per TTL, at most a minute apart, frees it soon after.
  const store = new MemoryStore({ expires: Math.ceil(ttlSeconds), checkperiod: Math.min(60, Math.ceil(ttlSeconds)) });
  // node-cache deep-clones every value on get and on set. The engine already hands the store a
  // record it never touches again and copies the data it reads, so for our own store that is
  // pure cost on every request. (A store the user passes in keeps its own settings.)
  (store['store'] as { options: { useClones: boolean } }).options.useClones = false;
  return store;
}

const PER_KEY_TTL = Symbol('token-session.perKeyTtl');

interface NodeCacheLike {
  set(key: string, value: unknown, ttlOrCallback?: unknown, callback?: unknown): unknown;
  ttl(key: string, seconds: number): unknown;
  getTtl(key: string): unknown;
  [PER_KEY_TTL]?: true;
}

/**
 * The built-in `hackttl`. Stores that read `cookie.expires` or `cookie.maxAge` need nothing:
 * the record carries its own expiry. session-memory-store ignores both and gives every key
 * its node-cache's one `stdTTL`, so for a store backed by a node-cache (`store.store`) we
 * make the cache take each value's TTL from its `cookie.maxAge`. That happens once per cache
 * and covers every later write, the store's own `touch` included.
 */
export const defaultHackTtl: HackTtl = (record, _ttlSeconds, store) => {
  const cache: unknown = store['store'];
  if (isNodeCache(cache) && !cache[PER_KEY_TTL]) giveNodeCachePerKeyTtl(cache);
  return record;
};

function isNodeCache(value: unknown): value is NodeCacheLike {
  if (typeof value !== 'object' || value === null) return false;
  const cache = value as Partial<NodeCacheLike>;
  return typeof cache.set === 'function' && typeof cache.ttl === 'function' && typeof cache.getTtl === 'function';
}

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
  return typeof maxAge === 'number' && maxAge > 0 ? Math.max(1, Math.ceil(maxAge / 1000)) : undefined;
}
