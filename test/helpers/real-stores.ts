// In-process stores (session-memory-store, memorystore) as the TTL tests use them.
import sessionMemoryStore = require('session-memory-store');
import memorystore = require('memorystore');
import { MemoryStore as ExpressMemoryStore } from 'express-session';
import { TokenSession, type ExpressSessionStore } from '../../src';

/** A real in-process store, with a way to see everything it holds. */
export interface StoreUnderTest {
  name: string;
  make(): ExpressSessionStore;
  /** Every key and value the store holds, as one string. */
  dump(store: ExpressSessionStore): string;
  /** How many keys it holds, straight from its backing structure. */
  size(store: ExpressSessionStore): number;
  /** Ends its timers. */
  close(store: ExpressSessionStore): void;
}

export const IN_PROCESS_STORES: StoreUnderTest[] = [
  {
    name: 'session-memory-store',
    // Built the way its README says, with our class in express-session's place.
    make: () => new (sessionMemoryStore(TokenSession))(),
    dump: (store) => {
      const keys = store['store'].keys() as string[];
      return JSON.stringify({ keys, values: store['store'].mget(keys) });
    },
    size: (store) => store['store'].keys().length,
    close: (store) => store['store'].close(),
  },
  {
    name: 'memorystore',
    make: () => new (memorystore(TokenSession as never))({ checkPeriod: 60_000 }),
    dump: (store) => {
      const entries: unknown[] = [];
      store['store'].forEach((value: unknown, key: string) => entries.push([key, value]));
      return JSON.stringify(entries);
    },
    size: (store) => store['store'].keys().length,
    close: (store) => store['stopInterval'](),
  },
  {
    name: 'express-session MemoryStore',
    make: () => new ExpressMemoryStore() as unknown as ExpressSessionStore,
    dump: (store) => JSON.stringify(store['sessions']),
    size: (store) => Object.keys(store['sessions']).length,
    close: () => undefined,
  },
];
