// The in-memory store where session-memory-store cannot run (workerd refuses the code its cache builds with `new Function`): a Map, each record kept until its cookie's expiry.
import type { ExpressSessionStore, StoreCallback } from './types';

interface Entry {
  record: unknown;
  expiresAt: number;
}

/** An express-session store whose methods take a callback, or, without one, answer a promise. */
export interface MapStore extends ExpressSessionStore {
  get(key: string, callback?: StoreCallback): Promise<unknown> | undefined;
  set(key: string, record: unknown, callback?: StoreCallback<void>): Promise<void> | undefined;
  touch(key: string, record: unknown, callback?: StoreCallback<void>): Promise<void> | undefined;
  destroy(key: string, callback?: StoreCallback<void>): Promise<void> | undefined;
  length(callback?: StoreCallback<number>): Promise<number> | undefined;
  all(callback?: StoreCallback<Record<string, unknown>>): Promise<Record<string, unknown>> | undefined;
  clear(callback?: StoreCallback<void>): Promise<void> | undefined;
}

/** Sweeps start once the map holds this many entries; then each time it has doubled since the last one. */
const FIRST_SWEEP_AT = 1000;

/**
 * An express-session store in this process: it answers at once, by callback or promise, and
 * keeps each record until `cookie.expires` (else `ttlSeconds`). Expired entries are dropped when
 * read, and swept as the map grows, never by a timer: making one starts nothing, which workerd
 * requires at module scope. Records are kept as handed over, not copied: the engine never
 * touches one again, and copies the data it reads.
 */
export function mapStore(ttlSeconds: number): MapStore {
  const entries = new Map<string, Entry>();
  let sweepAt = FIRST_SWEEP_AT;

  const live = (key: string, now = Date.now()): Entry | undefined => {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expiresAt <= now) entries.delete(key);
    else return entry;
    return undefined;
  };
  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
    sweepAt = Math.max(FIRST_SWEEP_AT, 2 * entries.size);
  };
  const expiryOf = (record: unknown): number => {
    const expires = (record as { cookie?: { expires?: unknown } } | null)?.cookie?.expires;
    const at = expires instanceof Date || typeof expires === 'string' || typeof expires === 'number' ? new Date(expires).getTime() : NaN;
    return Number.isNaN(at) ? Date.now() + ttlSeconds * 1000 : at;
  };
  const answer = <R = void>(callback: StoreCallback<R> | undefined, result?: R): Promise<R> | undefined => {
    if (typeof callback !== 'function') return Promise.resolve(result as R);
    callback(null, result);
    return undefined;
  };

  return {
    get: (key, callback) => answer(callback, live(key)?.record ?? null),
    set(key, record, callback) {
      entries.set(key, { record, expiresAt: expiryOf(record) });
      if (entries.size >= sweepAt) sweep();
      return answer(callback);
    },
    touch(key, record, callback) {
      const entry = live(key);
      // As express-session's MemoryStore: the stored session keeps its data and takes the new cookie.
      if (entry !== undefined) entries.set(key, { record: { ...(entry.record as object), cookie: (record as { cookie?: unknown }).cookie }, expiresAt: expiryOf(record) });
      return answer(callback);
    },
    destroy(key, callback) {
      entries.delete(key);
      return answer(callback);
    },
    length(callback) {
      sweep();
      return answer(callback, entries.size);
    },
    all(callback) {
      sweep();
      return answer(callback, Object.fromEntries([...entries].map(([key, { record }]) => [key, record])));
    },
    clear(callback) {
      entries.clear();
      return answer(callback);
    },
  };
}
