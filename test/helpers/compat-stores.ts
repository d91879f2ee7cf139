// Real third-party stores on their real servers and files, opened for the compatibility and concurrency suites.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import connectPgSimple from 'connect-pg-simple';
import { RedisStore } from 'connect-redis';
import RedisStore7 from 'connect-redis7';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import connectSessionSequelize from 'connect-session-sequelize';
import connectSqlite3 = require('connect-sqlite3');
import connectMemcached = require('connect-memcached');
import expressMysqlSession = require('express-mysql-session');
import nedbSessionStore = require('nedb-session-store');
import sessionFileStore = require('session-file-store');
import { Redis as IORedis } from 'ioredis';
import knex from 'knex';
import { createConnection as createMysqlConnection } from 'mysql2/promise';
import { Pool } from 'pg';
import { createClient } from 'redis';
import { Sequelize } from 'sequelize';
import sqlite3 from 'sqlite3';
import { TokenSession, type ExpressSessionStore } from '../../src';
import { memcachedEntries, memcachedTtl } from './memcached-text';
import { IN_PROCESS_STORES } from './real-stores';
import { memcachedUrl, mysqlUrl, postgresUrl, redisUrl, type TestServerName } from './real-servers';

/** A store for the compatibility suite, with a window on what the store itself holds. */
export interface CompatStore {
  store: ExpressSessionStore;
  /**
   * Seconds until the store itself lets `key` go, read from its own data (a row's expiry
   * column, a key's TTL, a file's fields); `Infinity` when it never will; `null` when it holds no such key.
   */
  storeTtl(key: string): Promise<number | null>;
  /** Every key the store holds for this suite, as it names them, with everything stored under it, as text. */
  dump(): Promise<Array<[key: string, stored: string]>>;
  close(): Promise<void>;
}

export interface CompatStoreFactory {
  name: string;
  /** The version installed, from its package.json. */
  version: string;
  needs?: TestServerName;
  open(): Promise<CompatStore>;
}

// Read from the file: some packages' "exports" do not expose their package.json.
const versionOf = (name: string): string => JSON.parse(readFileSync(join(__dirname, '../../node_modules', name, 'package.json'), 'utf8')).version;
const secondsUntil = (epochMs: number): number => (epochMs - Date.now()) / 1000;
const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

const inProcess: CompatStoreFactory[] = IN_PROCESS_STORES.map((backend) => ({
  name: backend.name,
  version: versionOf(backend.packageName),
  open: async () => {
    const store = backend.make();
    return {
      store,
      storeTtl: async (key) => backend.ttl(store, key),
      dump: async () => backend.entries(store),
      close: async () => backend.close(store),
    };
  },
}));

/** A database of its own per suite, so that suites sharing one server never see each other's rows. */
async function newPostgresDatabase(): Promise<string> {
  const name = `ts_${randomUUID().replace(/-/g, '')}`;
  const admin = new Pool({ connectionString: postgresUrl });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function sqlRows(query: (sql: string) => Promise<unknown[]>, sql: string, keyColumn: string): Promise<Array<[string, string]>> {
  const rows = (await query(sql)) as Array<Record<string, unknown>>;
  return rows.map((row) => [String(row[keyColumn]), JSON.stringify(row)]);
}

/** The commands both Redis clients have, under ioredis' names. */
interface RedisReads {
  pttl(key: string): Promise<number>;
  keys(pattern: string): Promise<string[]>;
  get(key: string): Promise<string | null>;
}

/** What a Redis-backed store holds under its prefix, read with the client's own commands. */
function redisWindow(prefix: string, redis: RedisReads): Pick<CompatStore, 'storeTtl' | 'dump'> {
  return {
    storeTtl: async (key) => {
      const ttl = await redis.pttl(prefix + key);
      return ttl === -2 ? null : ttl === -1 ? Infinity : ttl / 1000;
    },
    dump: async () => {
      const keys = await redis.keys(`${prefix}*`);
      return Promise.all(keys.map(async (key) => [key.slice(prefix.length), (await redis.get(key)) ?? ''] as [string, string]));
    },
  };
}

export const COMPAT_STORES: CompatStoreFactory[] = [
  ...inProcess,
  {
    name: 'connect-redis 9 (node-redis) on redis-server',
    version: versionOf('connect-redis'),
    needs: 'redis',
    open: async () => {
      const client = createClient({ url: redisUrl! });
      await client.connect();
      // A prefix of its own per suite, so suites sharing the server never see each other's keys.
      const prefix = `ts-test:${randomUUID()}:`;
      return {
        store: new RedisStore({ client, prefix }) as unknown as ExpressSessionStore,
        ...redisWindow(prefix, { pttl: (key) => client.pTTL(key), keys: (pattern) => client.keys(pattern), get: (key) => client.get(key) }),
        close: async () => {
          client.destroy();
        },
      };
    },
  },
  {
    name: 'connect-redis 7 (ioredis) on redis-server',
    version: versionOf('connect-redis7'),
    needs: 'redis',
    open: async () => {
      const client = new IORedis(redisUrl!);
      const prefix = `ts-test:${randomUUID()}:`;
      return {
        store: new RedisStore7({ client, prefix }) as unknown as ExpressSessionStore,
        ...redisWindow(prefix, client),
        close: async () => {
          client.disconnect();
        },
      };
    },
  },
  {
    name: 'connect-pg-simple on PostgreSQL',
    version: versionOf('connect-pg-simple'),
    needs: 'postgres',
    open: async () => {
      const pool = new Pool({ connectionString: await newPostgresDatabase() });
      // Its own table script, run as its README says (createTableIfMissing reads the same file).
      const PgStore = connectPgSimple(TokenSession as never);
      const store = new PgStore({ pool, createTableIfMissing: true, pruneSessionInterval: false });
      return {
        store: store as unknown as ExpressSessionStore,
        storeTtl: async (key) => {
          const { rows } = await pool.query('SELECT extract(epoch FROM expire) AS expire FROM session WHERE sid = $1', [key]);
          return rows[0] ? secondsUntil(Number(rows[0].expire) * 1000) : null;
        },
        dump: () => sqlRows(async (sql) => (await pool.query(sql)).rows, 'SELECT * FROM session', 'sid'),
        close: async () => {
          await store.close();
          await pool.end();
        },
      };
    },
  },
  {
    name: 'connect-session-sequelize (its default model) on PostgreSQL',
    version: versionOf('connect-session-sequelize'),
    needs: 'postgres',
    open: async () => {
      const db = new Sequelize(await newPostgresDatabase(), { logging: false });
      const SequelizeStore = connectSessionSequelize(TokenSession.Store as never);
      const store = new SequelizeStore({ db, checkExpirationInterval: 0 }) as any;
      await store.sync();
      const query = async (sql: string, key?: string) => (await db.query(sql, { replacements: key ? [key] : [] }))[0] as any[];
      return {
        store: store as ExpressSessionStore,
        storeTtl: async (key) => {
          const [row] = await query('SELECT expires FROM "Sessions" WHERE sid = ?', key);
          return row ? secondsUntil(new Date(row.expires).getTime()) : null;
        },
        dump: () => sqlRows((sql) => query(sql), 'SELECT * FROM "Sessions"', 'sid'),
        close: async () => {
          store.stopExpiringSessions();
          await db.close();
        },
      };
    },
  },
  {
    name: 'connect-session-knex (knex, pg) on PostgreSQL',
    version: versionOf('connect-session-knex'),
    needs: 'postgres',
    open: async () => {
      const db = knex({ client: 'pg', connection: await newPostgresDatabase() });
      const store = new ConnectSessionKnexStore({ knex: db, cleanupInterval: 0 });
      return {
        store: store as unknown as ExpressSessionStore,
        storeTtl: async (key) => {
          const row = await db('sessions').where('sid', key).first('expired');
          return row ? secondsUntil(new Date(row.expired).getTime()) : null;
        },
        dump: async () => (await db('sessions').select()).map((row: { sid: string }) => [row.sid, JSON.stringify(row)] as [string, string]),
        close: async () => {
          await db.destroy();
        },
      };
    },
  },
  {
    name: 'express-mysql-session on MariaDB',
    version: versionOf('express-mysql-session'),
    needs: 'mysql',
    open: async () => {
      const server = new URL(mysqlUrl!);
      const connection = await createMysqlConnection({ host: server.hostname, port: Number(server.port), user: 'root' });
      const database = `ts_${randomUUID().replace(/-/g, '')}`;
      await connection.query(`CREATE DATABASE ${database}`);
      await connection.query(`USE ${database}`);
      const MySQLStore = expressMysqlSession(TokenSession);
      const store = new MySQLStore({ host: server.hostname, port: Number(server.port), user: 'root', database, clearExpired: false });
      await store.onReady();
      return {
        store,
        storeTtl: async (key) => {
          const [rows] = (await connection.query('SELECT expires FROM sessions WHERE session_id = ?', [key])) as [any[], unknown];
          return rows[0] ? secondsUntil(rows[0].expires * 1000) : null;
        },
        dump: () => sqlRows(async (sql) => (await connection.query(sql))[0] as unknown[], 'SELECT * FROM sessions', 'session_id'),
        close: async () => {
          await store.close();
          await connection.end();
        },
      };
    },
  },
  {
    name: 'connect-sqlite3 on a SQLite file',
    version: versionOf('connect-sqlite3'),
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'token-session-sqlite-'));
      const SQLiteStore = connectSqlite3(TokenSession);
      const store = new SQLiteStore({ dir, db: 'sessions.db' });
      // A connection of our own to the store's file.
      const file = new sqlite3.Database(join(dir, 'sessions.db'));
      const all = promisify(file.all.bind(file)) as (sql: string, params?: unknown[]) => Promise<any[]>;
      return {
        store,
        storeTtl: async (key) => {
          const [row] = await all('SELECT expired FROM sessions WHERE sid = ?', [key]);
          return row ? secondsUntil(row.expired) : null;
        },
        dump: () => sqlRows((sql) => all(sql), 'SELECT * FROM sessions', 'sid'),
        close: async () => {
          await promisify(file.close.bind(file))();
          await promisify(store.db.close.bind(store.db))();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'session-file-store in a directory',
    version: versionOf('session-file-store'),
    open: async () => {
      const path = mkdtempSync(join(tmpdir(), 'token-session-files-'));
      const FileStore = sessionFileStore(TokenSession);
      // retries: 0, because by default a read of a missing file is retried for about a second,
      // so every unknown or ended token costs that; reapInterval -1: no reaping child process.
      const store = new FileStore({ path, retries: 0, reapInterval: -1, logFn: () => undefined });
      const files = () => readdirSync(path).filter((file) => file.endsWith('.json'));
      return {
        store,
        // The store's own expiry: last access plus the cookie's originalMaxAge (its `expired` helper).
        storeTtl: async (key) => {
          const file = files().find((name) => name === `${key}.json`);
          if (file === undefined) return null;
          const stored = JSON.parse(readFileSync(join(path, file), 'utf8'));
          return secondsUntil(stored.__lastAccess + stored.cookie.originalMaxAge);
        },
        dump: async () => files().map((file) => [file.slice(0, -'.json'.length), readFileSync(join(path, file), 'utf8')]),
        close: async () => {
          rmSync(path, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'connect-memcached on memcached',
    version: versionOf('connect-memcached'),
    needs: 'memcached',
    open: async () => {
      const MemcachedStore = connectMemcached(TokenSession);
      const prefix = `ts-test-${randomUUID()}-`;
      const store = new MemcachedStore({ hosts: [memcachedUrl!], prefix });
      return {
        store,
        storeTtl: (key) => memcachedTtl(memcachedUrl!, prefix + key),
        dump: async () => (await memcachedEntries(memcachedUrl!, prefix)).map(([key, value]) => [key.slice(prefix.length), value]),
        close: async () => {
          store.client.end();
        },
      };
    },
  },
  {
    name: 'nedb-session-store on a NeDB file',
    version: versionOf('nedb-session-store'),
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'token-session-nedb-'));
      const filename = join(dir, 'sessions.db');
      const NeDBStore = nedbSessionStore(TokenSession);
      // No compaction timer, which would outlive the suite.
      const store = new NeDBStore({ filename, autoCompactInterval: null });
      // What the file holds: one JSON document per line, a later line for a key replacing an earlier one.
      const documents = () => {
        const byKey = new Map<string, any>();
        for (const line of readFileSync(filename, 'utf8').split('\n').filter(Boolean)) {
          const doc = JSON.parse(line);
          if (doc.$$deleted) byKey.delete(doc._id);
          else if (doc._id !== undefined) byKey.set(doc._id, doc);
        }
        return byKey;
      };
      return {
        store,
        storeTtl: async (key) => {
          const doc = documents().get(key);
          return doc ? secondsUntil(doc.expiresAt.$$date) : null;
        },
        dump: async () => [...documents()].map(([key, doc]) => [key, asText(doc)]),
        close: async () => {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];
