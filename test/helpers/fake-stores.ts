// Fake stores of every calling style, broken stores, and call counting.
import type { ExpressSessionStore, StoreCallback } from '../../src';

/**
 * Fake stores of every calling style an express-session store may have, over one Map of
 * JSON strings (so a stored object is never shared with the caller, as in a real store).
 */
export type FakeStyle =
  | 'async callback'
  | 'sync callback'
  | 'promise'
  | 'promise and callback'
  | 'undefined on miss'
  | 'ENOENT on miss'
  | 'calls back twice';

export const WORKING_STYLES: FakeStyle[] = [
  'async callback',
  'sync callback',
  'promise',
  'promise and callback',
  'undefined on miss',
  'ENOENT on miss',
  'calls back twice',
];

export interface FakeStore extends ExpressSessionStore {
  readonly map: Map<string, string>;
}

type Op = (store: Map<string, string>, key: string, record?: unknown) => unknown;

const ops: Record<'get' | 'set' | 'destroy', Op> = {
  get: (map, key) => {
    const json = map.get(key);
    return json === undefined ? null : JSON.parse(json);
  },
  set: (map, key, record) => {
    map.set(key, JSON.stringify(record));
  },
  destroy: (map, key) => {
    map.delete(key);
  },
};

export function fakeStore(style: FakeStyle): FakeStore {
  const map = new Map<string, string>();
  const method = (name: keyof typeof ops) =>
    function (this: unknown, key: string, ...rest: unknown[]): unknown {
      const callback = rest.pop() as StoreCallback;
      const result = ops[name](map, key, rest[0]);
      const miss = name === 'get' && result === null;
      switch (style) {
        case 'async callback':
          setImmediate(callback, null, result);
          return undefined;
        case 'sync callback':
          callback(null, result);
          return undefined;
        case 'promise':
          return Promise.resolve(result);
        case 'promise and callback':
          setImmediate(callback, null, result);
          return Promise.resolve(result);
        case 'undefined on miss':
          setImmediate(callback, null, miss ? undefined : result);
          return undefined;
        case 'ENOENT on miss':
          if (miss) setImmediate(callback, Object.assign(new Error('no such file'), { code: 'ENOENT' }));
          else setImmediate(callback, null, result);
          return undefined;
        case 'calls back twice':
          // A buggy store: answers, then answers again with an error. Only the first may count.
          callback(null, result);
          callback(new Error('second call'));
          return undefined;
      }
    };
  return {
    map,
    get: method('get'),
    set: method('set'),
    destroy: method('destroy'),
    length: (callback: StoreCallback<number>) => callback(null, map.size),
  };
}

/** A store whose every call fails in the given way. */
export function brokenStore(how: 'errors' | 'throws' | 'rejects' | 'never answers'): ExpressSessionStore {
  const method = (name: string) => (..._args: unknown[]) => {
    const callback = _args.pop() as StoreCallback;
    const err = new Error(`${name} is broken`);
    switch (how) {
      case 'errors':
        setImmediate(callback, err);
        return undefined;
      case 'throws':
        throw err;
      case 'rejects':
        return Promise.reject(err);
      case 'never answers':
        return undefined;
    }
  };
  return { get: method('get'), set: method('set'), destroy: method('destroy') };
}

/** Calls made to a store's required methods, counted by wrapping the instance's methods. */
export interface CallCounts {
  get: number;
  set: number;
  destroy: number;
}

export function countCalls<S extends ExpressSessionStore>(store: S): CallCounts {
  const counts: CallCounts = { get: 0, set: 0, destroy: 0 };
  for (const name of ['get', 'set', 'destroy'] as const) {
    const original = store[name].bind(store) as (...args: unknown[]) => unknown;
    (store as Record<string, unknown>)[name] = (...args: unknown[]) => {
      counts[name] += 1;
      return original(...args);
    };
  }
  return counts;
}

export { FAULTS, switchableStore, type Fault, type SwitchableStore } from './switchable-store';
