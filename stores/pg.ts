// token-session/pg: pgStore({ pool, table?, createTable? }), an express-session store on PostgreSQL whose updates are one SQL statement each, and its own owner index.
import { TokenSessionError, type AtomicSessionStore, type IndexEntry, type SessionChange, type SessionIndex, type SessionRecord } from '../src/adapter';
import { answer, defaultTtlMsOf, expiryOf, ExpressSessionCompatibleStore, type Callback } from './store-base';

/** The part of a `pg` Pool (or Client) the store uses. */
export interface PgPool {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: any[]; rowCount: number | null }>;
}

export interface PgStoreOptions {
  pool: PgPool;
  /** The sessions' table, `name` or `schema.name`; one-time claims go to `<table>_claims`. @default 'token_sessions' */
  table?: string;
  /** Create the tables and indexes when missing, before the first query. @default false */
  createTable?: boolean;
  /** Lifetime, in seconds, of a value whose `cookie` tells none (express-session's sessions always do). @default 86400 */
  ttl?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The table, as `createTable` makes it. `owner` and `public_id` are generated from the row
 * itself (the record's owner; the public id token-session derives from the key), so the row is
 * its own index entry: no write keeps an index in step, and no statement can leave one behind.
 */
export function pgStoreSchema(table = 'token_sessions'): string {
  const { name, claims, index } = tableNames(table);
  return `
CREATE TABLE IF NOT EXISTS ${name} (
  sid text PRIMARY KEY,
  sess jsonb NOT NULL,
  expire timestamptz NOT NULL,
  owner text GENERATED ALWAYS AS (sess ->> 'owner') STORED,
  public_id text GENERATED ALWAYS AS (rtrim(translate(encode(sha256(('token-session:public-id:' || sid)::bytea), 'base64'), '+/', '-_'), '=')) STORED
);
CREATE INDEX IF NOT EXISTS ${index('expire')} ON ${name} (expire);
CREATE INDEX IF NOT EXISTS ${index('owner')} ON ${name} (owner) WHERE owner IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${index('public_id')} ON ${name} (public_id);
CREATE TABLE IF NOT EXISTS ${claims} (name text PRIMARY KEY, expire timestamptz NOT NULL);`;
}

function tableNames(table: string) {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new TokenSessionError('ERR_OPTIONS', `pgStore option "table" must be a name or schema.name of letters, digits and _, got ${JSON.stringify(table)}`);
  }
  const quote = (names: string[]) => names.map((part) => `"${part}"`).join('.');
  const last = parts[parts.length - 1]!;
  return {
    name: quote(parts),
    claims: quote([...parts.slice(0, -1), `${last}_claims`]),
    index: (column: string) => `"${last}_${column}"`,
  };
}

/**
 * One statement applies a change (SessionChange) where the session is, only to a live session
 * record: $1 key, $2 new key, $3 now (ms), $4 ttl (ms) or null, $5 absoluteTtl (ms) or null,
 * $6 keys set (jsonb), $7 keys removed, $8 replace, $9 the owner or null, $10 whether to keep
 * the stored owner instead, $11 a new authenticatedAt or null (the stored one stays), $12 a new
 * meta.lastSeenAt or null (meta stays as stored). `returning`: it answers the record afterwards;
 * else (the engine needs no record back) nothing but its row count. Every field
 * of the record is named here: what is not, the statement drops. Under READ COMMITTED, an
 * UPDATE that waited for another's lock evaluates all of this again on the row as it is then.
 */
function updateStatement(name: string, returning: boolean): string {
  const ttl = `COALESCE($4::float8, (sess #>> '{cookie,originalMaxAge}')::float8)`;
  const expiry = `LEAST($3::float8 + ${ttl}, COALESCE((sess ->> 'createdAt')::float8 + $5::float8, 'Infinity'::float8))`;
  // Removed first, then set: a key in both is set (as the contract says).
  const data = `(CASE WHEN $8 THEN $6::jsonb ELSE ((sess -> 'data') - $7::text[]) || $6::jsonb END)`;
  const owner = `(CASE WHEN $10 THEN sess ->> 'owner' ELSE $9::text END)`;
  const authenticatedAt = `COALESCE(to_jsonb($11::float8), sess -> 'authenticatedAt')`;
  const meta = `(CASE WHEN $12::float8 IS NULL THEN sess -> 'meta' ELSE COALESCE(sess -> 'meta', '{}'::jsonb) || jsonb_build_object('lastSeenAt', $12::float8) END)`;
  const expires = `to_char(to_timestamp(${expiry} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return `UPDATE ${name} SET
  sid = $2,
  expire = to_timestamp(${expiry} / 1000.0),
  sess = jsonb_build_object(
    'cookie', (sess -> 'cookie') || jsonb_build_object('originalMaxAge', ${ttl}, 'expires', ${expires}),
    'data', ${data},
    'createdAt', sess -> 'createdAt'
  ) || (CASE WHEN ${owner} IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('owner', ${owner}) END)
    || (CASE WHEN ${authenticatedAt} IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('authenticatedAt', ${authenticatedAt}) END)
    || (CASE WHEN ${meta} IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('meta', ${meta}) END)
WHERE sid = $1 AND expire > to_timestamp($3 / 1000.0) AND sess ? 'createdAt' AND NOT sess ? 'once'
  AND jsonb_typeof(sess -> 'data') = 'object' AND ${expiry} > $3
${returning ? 'RETURNING sess' : ''}`;
}

/**
 * An express-session store on PostgreSQL (every method, by callback or promise), an
 * `AtomicSessionStore` (each commit's changes, one statement), and, as `index`, the owner index
 * and one-time claims on the same tables, which token-session uses when given no other.
 */
export class PgSessionStore extends ExpressSessionCompatibleStore implements AtomicSessionStore {
  readonly index: SessionIndex;
  readonly #pool: PgPool;
  readonly #sql: ReturnType<typeof statements>;
  readonly #defaultTtlMs: number;
  /** The tables' SQL while they are still to be made (`createTable`), and the promise of making them. */
  #schema: string | undefined;
  #ready: Promise<unknown> | undefined;

  constructor(options: PgStoreOptions) {
    super();
    if (typeof options !== 'object' || options === null || typeof options.pool?.query !== 'function') {
      throw new TokenSessionError('ERR_OPTIONS', 'pgStore needs { pool }: a pg Pool');
    }
    const { table = 'token_sessions', createTable = false, ttl = 86_400 } = options;
    this.#pool = options.pool;
    this.#sql = statements(table);
    this.#defaultTtlMs = defaultTtlMsOf('pgStore', ttl);
    // Made before the first query, not here: constructing a store starts no I/O.
    this.#schema = createTable ? pgStoreSchema(table) : undefined;
    this.index = this.#indexOnTables();
  }

  async #query(statement: Statement, values: unknown[]): Promise<{ rows: any[]; rowCount: number | null }> {
    if (this.#schema !== undefined) {
      this.#ready ??= this.#pool.query({ text: this.#schema }).then(() => (this.#schema = undefined), (err: unknown) => {
        this.#ready = undefined; // tried again by the next query
        throw err;
      });
      await this.#ready;
    }
    // pg copies a query's own properties, descriptor by descriptor, on every call, and reads the
    // rest through its prototype: the values are the only own property (BENCHMARKS.md).
    const query = Object.create(statement) as { name: string; text: string; values: unknown[] };
    query.values = values;
    return this.#pool.query(query);
  }

  get(key: string, callback?: Callback<any>): Promise<unknown> | undefined {
    return answer(this.readSession(key), callback);
  }

  readSession(key: string): Promise<unknown> {
    return this.#query(this.#sql.get, [key]).then(({ rows }) => rows[0]?.sess ?? null);
  }

  set(key: string, value: object, callback?: Callback<void>): Promise<void> | undefined {
    const expiresAt = expiryOf(value, this.#defaultTtlMs);
    if (expiresAt <= Date.now()) return this.destroy(key, callback);
    return answer(this.#query(this.#sql.set, [key, JSON.stringify(value), expiresAt]).then(() => undefined), callback);
  }

  destroy(key: string, callback?: Callback<void>): Promise<void> | undefined {
    return answer(this.#query(this.#sql.destroy, [key]).then(() => undefined), callback);
  }

  /** express-session's touch: the row's expiry, and its cookie, become the value's. */
  touch(key: string, value: { cookie?: unknown }, callback?: Callback<void>): Promise<void> | undefined {
    return answer(this.#query(this.#sql.touch, [key, expiryOf(value, this.#defaultTtlMs), JSON.stringify(value.cookie ?? {})]).then(() => undefined), callback);
  }

  async updateSession(change: SessionChange): Promise<SessionRecord | true | null> {
    const { rows, rowCount } = await this.#query(change.returnRecord ? this.#sql.update : this.#sql.updateWithoutRecord, [
      change.key, change.to, change.now, change.ttlMs ?? null, change.absoluteTtlMs ?? null,
      JSON.stringify(change.set), change.unset, change.replace, change.owner ?? null, change.owner === undefined, change.authenticatedAt ?? null, change.lastSeenAt ?? null,
    ]);
    if (!change.returnRecord) return rowCount === 1 || null;
    return (rows[0]?.sess as SessionRecord | undefined) ?? null;
  }

  length(callback?: Callback<number>): Promise<number> | undefined {
    return answer(this.#query(this.#sql.length, []).then(({ rows }) => Number(rows[0].n)), callback);
  }

  /** Every live session, by its key (as express-session's MemoryStore answers). */
  all(callback?: Callback<any>): Promise<Record<string, unknown>> | undefined {
    return answer(this.#query(this.#sql.all, []).then(({ rows }) => Object.fromEntries(rows.map((row) => [row.sid, row.sess]))), callback);
  }

  clear(callback?: Callback<void>): Promise<void> | undefined {
    return answer(this.#query(this.#sql.clear, []).then(() => undefined), callback);
  }

  /** Deletes expired rows and claims (reads never see them; call this from a job now and then). The number of sessions deleted. */
  async prune(): Promise<number> {
    const [sessions] = await Promise.all([this.#query(this.#sql.prune, []), this.#query(this.#sql.pruneClaims, [])]);
    return sessions.rowCount ?? 0;
  }

  /** The index on the same rows: adding and removing are the rows' own writes, so here they do nothing. */
  #indexOnTables(): SessionIndex {
    return {
      add: async () => undefined,
      remove: async () => undefined,
      owned: async (owner): Promise<IndexEntry[]> => (await this.#query(this.#sql.owned, [owner])).rows,
      keyOf: async (id) => (await this.#query(this.#sql.keyOf, [id])).rows[0]?.sid ?? null,
      claim: async (name, expiresAt) => ((await this.#query(this.#sql.claim, [name, expiresAt])).rowCount ?? 0) === 1,
    };
  }

}

export function pgStore(options: PgStoreOptions): PgSessionStore {
  return new PgSessionStore(options);
}

/** A statement, with the name pg prepares it under on each connection. */
interface Statement {
  readonly name: string;
  readonly text: string;
}

/** Every statement the store sends. */
function statements(table: string) {
  const { name, claims } = tableNames(table);
  const live = 'expire > now()';
  const named = (id: string, text: string): Statement => Object.freeze({ name: `token-session:${table}:${id}`, text });
  return {
    get: named('get', `SELECT sess FROM ${name} WHERE sid = $1 AND ${live}`),
    set: named('set', `INSERT INTO ${name} (sid, sess, expire) VALUES ($1, $2, to_timestamp($3 / 1000.0))
ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expire = excluded.expire`),
    destroy: named('destroy', `DELETE FROM ${name} WHERE sid = $1`),
    touch: named('touch', `UPDATE ${name} SET expire = to_timestamp($2 / 1000.0), sess = jsonb_set(sess, '{cookie}', $3::jsonb) WHERE sid = $1 AND ${live}`),
    update: named('update', updateStatement(name, true)),
    updateWithoutRecord: named('update-without-record', updateStatement(name, false)),
    length: named('length', `SELECT count(*) AS n FROM ${name} WHERE ${live}`),
    all: named('all', `SELECT sid, sess FROM ${name} WHERE ${live}`),
    clear: named('clear', `DELETE FROM ${name}`),
    prune: named('prune', `DELETE FROM ${name} WHERE expire <= now()`),
    pruneClaims: named('prune-claims', `DELETE FROM ${claims} WHERE expire <= now()`),
    owned: named('owned', `SELECT public_id AS id, sid AS key FROM ${name} WHERE owner = $1 AND ${live}`),
    keyOf: named('key-of', `SELECT sid FROM ${name} WHERE public_id = $1 AND ${live}`),
    // A claim is won by the first insert, or by taking over one that has expired.
    claim: named('claim', `INSERT INTO ${claims} (name, expire) VALUES ($1, to_timestamp($2 / 1000.0))
ON CONFLICT (name) DO UPDATE SET expire = excluded.expire WHERE ${claims}.expire <= now() RETURNING name`),
  };
}
