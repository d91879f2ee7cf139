// In-process stores (session-memory-store, memorystore, express-session's MemoryStore), with a window on what each holds.
import sessionMemoryStore = require('session-memory-store');
import memorystore = require('memorystore');
import { MemoryStore as ExpressMemoryStore } from 'express-session';
import { TokenSession, type ExpressSessionStore } from '../../src';

/** A real in-process store, with a way to see everything it holds. */
export interface StoreUnderTest {
  name: string;
  /** The npm package it comes from. */
  packageName: string;
  make(): ExpressSessionStore;
  /** Every key the store holds and what it holds under it, as text, straight from its backing structure. */
  entries(store: ExpressSessionStore): Array<[key: string, stored: string]>;
  /** Seconds until the store itself drops `key`, from its backing structure; `Infinity`: never; `null`: no such key. */
  ttl(store: ExpressSessionStore, key: string): number | null;
  /** Ends its timers. */
  close(store: ExpressSessionStore): void;
}

const secondsUntil = (epochMs: number): number => (epochMs - Date.now()) / 1000;

export const IN_PROCESS_STORES: StoreUnderTest[] = [
  {
    name: 'session-memory-store',
    packageName: 'session-memory-store',
    // Built the way its README says, with our class in express-session's place.
    make: () => new (sessionMemoryStore(TokenSession))(),
    entries: (store) => {
      const cache = store['store'];
      return (cache.keys() as string[]).map((key) => [key, JSON.stringify(cache.get(key))]);
    },
    // node-cache's getTtl: the epoch ms it expires at, 0 for never, undefined for no such key.
    ttl: (store, key) => {
      const at = store['store'].getTtl(key) as number | undefined;
      return at === undefined ? null : at === 0 ? Infinity : secondsUntil(at);
    },
    close: (store) => store['store'].close(),
  },
  {
    name: 'memorystore',
    packageName: 'memorystore',
    make: () => new (memorystore(TokenSession as never))({ checkPeriod: 60_000 }),
    // Its lru-cache's dump: key, value and the epoch ms it expires at (0: never).
    entries: (store) => (store['store'].dump() as Array<{ k: string; v: string }>).map(({ k, v }) => [k, v]),
    ttl: (store, key) => {
      const entry = (store['store'].dump() as Array<{ k: string; e: number }>).find(({ k }) => k === key);
      return entry === undefined ? null : entry.e === 0 ? Infinity : secondsUntil(entry.e);
    },
    close: (store) => store['stopInterval'](),
  },
  {
    name: 'express-session MemoryStore',
    packageName: 'express-session',
    make: () => new ExpressMemoryStore() as unknown as ExpressSessionStore,
    entries: (store) => Object.entries(store['sessions'] as Record<string, string>),
    // It keeps the JSON and reads the expiry back from its cookie.expires.
    ttl: (store, key) => {
      const json = (store['sessions'] as Record<string, string>)[key];
      return json === undefined ? null : secondsUntil(Date.parse(JSON.parse(json).cookie.expires));
    },
    close: () => undefined,
  },
];
