// ExpressSessionStore: the shape of any express-session-compatible store.
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
