// The default store: session-memory-store, tuned for records the engine never touches again.
import sessionMemoryStore = require('session-memory-store');
import { Store } from './base-store';
import type { ExpressSessionStore } from './types';

export type { HackTtl } from './store-ttl';

/** The default store: session-memory-store, built on our `Store` base class. */
export function createDefaultStore(ttlSeconds: number): ExpressSessionStore {
  const MemoryStore = sessionMemoryStore({ Store });
  // Its global TTL only matters until the engine gives its cache per-key TTLs (store-ttl.ts). Its cache
  // sweeps out expired sessions every 10 minutes unless told otherwise: memory held that long
  // after sessions end. Sweeping once per TTL, at most a minute apart, frees it soon after.
  const store = new MemoryStore({ expires: Math.ceil(ttlSeconds), checkperiod: Math.min(60, Math.ceil(ttlSeconds)) });
  // node-cache deep-clones every value on get and on set. The engine already hands the store a
  // record it never touches again and copies the data it reads, so for our own store that is
  // pure cost on every request. (A store the user passes in keeps its own settings.)
  (store['store'] as { options: { useClones: boolean } }).options.useClones = false;
  return store;
}
