// Real third-party stores, opened for the compatibility and concurrency suites.
import { randomUUID } from 'node:crypto';
import connectPgSimple from 'connect-pg-simple';
import { RedisStore } from 'connect-redis';
import { Pool } from 'pg';
import { createClient } from 'redis';
import { TokenSession, type ExpressSessionStore } from '../../src';
import { IN_PROCESS_STORES } from './real-stores';
import { postgresUrl, redisUrl } from './real-servers';

/** A store for the compatibility suite, with a window on the expiry the store itself keeps. */
export interface CompatStore {
  store: ExpressSessionStore;
  /** Seconds until the store itself drops `key` (Redis TTL, PostgreSQL `expire`); null when it holds no such key. */
  storeTtl?(key: string): Promise<number | null>;
  close(): Promise<void>;
}

export interface CompatStoreFactory {
  name: string;
  needs?: 'redis' | 'postgres';
  open(): Promise<CompatStore>;
}

export const COMPAT_STORES: CompatStoreFactory[] = [
  ...IN_PROCESS_STORES.map((backend) => ({
    name: backend.name,
    open: async () => {
      const store = backend.make();
      return { store, close: async () => backend.close(store) };
    },
  })),
  {
    name: 'connect-redis 9 (node-redis) on redis-server',
    needs: 'redis',
    open: async () => {
      const client = createClient({ url: redisUrl! });
      await client.connect();
      // A prefix of its own per suite, so suites sharing the server never see each other's keys.
      const prefix = `ts-test:${randomUUID()}:`;
      return {
        store: new RedisStore({ client, prefix }) as unknown as ExpressSessionStore,
        storeTtl: async (key) => {
          const ttl = await client.pTTL(prefix + key);
          return ttl < 0 ? null : ttl / 1000;
        },
        close: async () => {
          client.destroy();
        },
      };
    },
  },
  {
    name: 'connect-pg-simple on PostgreSQL',
    needs: 'postgres',
    open: async () => {
      const pool = new Pool({ connectionString: postgresUrl });
      const tableName = `session_${randomUUID().replace(/-/g, '')}`;
      // connect-pg-simple's own table script names its key "session_pkey" whatever the table, so a
      // second table in one database fails; this is its schema with the key named after the table.
      await pool.query(`CREATE TABLE "${tableName}" (sid varchar NOT NULL PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL)`);
      const PgStore = connectPgSimple(TokenSession as never);
      const store = new PgStore({ pool, tableName, pruneSessionInterval: false });
      return {
        store: store as unknown as ExpressSessionStore,
        storeTtl: async (key) => {
          const { rows } = await pool.query(`SELECT extract(epoch FROM expire) AS expire FROM "${tableName}" WHERE sid = $1`, [key]);
          return rows[0] ? Number(rows[0].expire) - Date.now() / 1000 : null;
        },
        close: async () => {
          await store.close();
          await pool.end();
        },
      };
    },
  },
];
