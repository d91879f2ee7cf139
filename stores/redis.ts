// token-session/redis: redisStore({ client, prefix? }), an express-session store on Redis whose updates are one Lua script each, atomic against every other writer.
import { applySessionChange, TokenSessionError, type AtomicSessionStore, type SessionChange, type SessionMetadata, type SessionRecord } from '../src/adapter';
import { redisCommandsOf, redisScript, type RedisClient, type RedisCommands } from '../src/store/redis-commands';
import { answer, defaultTtlMsOf, expiryOf, ExpressSessionCompatibleStore, type Callback } from './store-base';

export { redisIndex, type RedisIndexOptions } from '../src/store/redis-index';
export type { RedisClient };

export interface RedisStoreOptions {
  /** node-redis 5+ (`createClient`, `createCluster`; 6+ for a cluster, see the README) or ioredis (`Redis`, `Cluster`), connected. */
  client: RedisClient;
  /** @default 'token-session:sess:' */
  prefix?: string;
  /** Lifetime, in seconds, of a value whose `cookie` tells none (express-session's sessions always do). @default 86400 */
  ttl?: number;
}

/*
 * Each session is one hash. A record token-session wrote keeps each top-level key of its data in
 * a field of its own (`.<key>`, the value as JSON) beside its lifetime (`$createdAt`, `$ttl`,
 * `$expires`: numbers) and the rest of its cookie (`$cookie`), `$owner`, `$authenticatedAt`, `$once`,
 * and its metadata (`$userAgent`, `$ip`, `$lastSeenAt`): so a change
 * sets and removes fields server-side, and no script ever parses the data. Any other value (an
 * express-session session) is kept whole, as JSON, in `$json`. The key expires with the session.
 */
const WRITE = redisScript(`
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 1000 do redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('PEXPIREAT', KEYS[1], ARGV[1])`);

const TOUCH = redisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], '$expires') == 1 then redis.call('HSET', KEYS[1], '$expires', ARGV[1], '$ttl', ARGV[2]) end
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1`);

// A change (SessionChange) applied where the session is, only if it is a live session. ARGV:
// now, ttl or '', absoluteTtl or '', the owner ('=' keeps it, '' for none, else ':' and the
// owner), replace ('1'), the number of fields set, lastSeenAt or '', '1' to answer the hash
// afterwards (else it answers 1), those fields and values, then the fields removed (removed
// first: a field in both is set). Answers false for no live session.
const UPDATE = redisScript(`
local key = KEYS[1]
local meta = redis.call('HMGET', key, '$createdAt', '$ttl', '$once')
if not meta[1] or meta[3] then return false end
local now = tonumber(ARGV[1])
local ttl = ARGV[2] ~= '' and ARGV[2] or meta[2]
local expires = now + tonumber(ttl)
if ARGV[3] ~= '' then expires = math.min(expires, tonumber(meta[1]) + tonumber(ARGV[3])) end
if expires <= now then
  redis.call('DEL', key)
  return false
end
if ARGV[5] == '1' then
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.byte(field, 1) == 46 then redis.call('HDEL', key, field) end
  end
end
local sets = 9 + 2 * tonumber(ARGV[6])
for j = sets, #ARGV do redis.call('HDEL', key, ARGV[j]) end
for i = 9, sets - 1, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
if ARGV[7] ~= '' then redis.call('HSET', key, '$lastSeenAt', ARGV[7]) end
if ARGV[4] == '' then redis.call('HDEL', key, '$owner')
elseif ARGV[4] ~= '=' then redis.call('HSET', key, '$owner', string.sub(ARGV[4], 2)) end
expires = string.format('%d', expires)
redis.call('HSET', key, '$ttl', ttl, '$expires', expires)
redis.call('PEXPIREAT', key, expires)
if ARGV[8] ~= '1' then return 1 end
return redis.call('HGETALL', key)`);

// The first half of a move: the live session's hash, removed in the same step.
const TAKE = redisScript(`
local meta = redis.call('HMGET', KEYS[1], '$createdAt', '$once')
if not meta[1] or meta[2] then return false end
local fields = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return fields`);

const RECORD_FIELDS = new Set(['cookie', 'data', 'createdAt', 'owner', 'once', 'authenticatedAt', 'meta']);

/**
 * An express-session store on Redis (every method, by callback or promise), and an
 * `AtomicSessionStore`: token-session hands it each commit's changes, applied by one script.
 */
export class RedisSessionStore extends ExpressSessionCompatibleStore implements AtomicSessionStore {
  /** The client as given, for express-session's calls; `#engine` for token-session's, which the engine bounds with its `storeTimeout`. */
  readonly #redis: RedisCommands;
  readonly #engine: RedisCommands;
  readonly #prefix: string;
  readonly #defaultTtlMs: number;

  constructor(options: RedisStoreOptions) {
    super();
    if (typeof options !== 'object' || options === null || typeof options.client !== 'object' || options.client === null) {
      throw new TokenSessionError('ERR_OPTIONS', 'redisStore needs { client }: a connected node-redis or ioredis client');
    }
    const { prefix = 'token-session:sess:', ttl = 86_400 } = options;
    if (typeof prefix !== 'string') throw new TokenSessionError('ERR_OPTIONS', `redisStore option "prefix" must be a string, got ${typeof prefix}`);
    this.#redis = redisCommandsOf(options.client, false);
    this.#engine = redisCommandsOf(options.client, true);
    this.#prefix = prefix;
    this.#defaultTtlMs = defaultTtlMsOf('redisStore', ttl);
  }

  get(key: string, callback?: Callback<any>): Promise<unknown> | undefined {
    return answer(this.#redis.hGetAll(this.#prefix + key).then(fromHash), callback);
  }

  readSession(key: string): Promise<unknown> {
    return this.#engine.hGetAll(this.#prefix + key).then(fromHash);
  }

  set(key: string, value: object, callback?: Callback<void>): Promise<void> | undefined {
    return answer(this.#write(this.#redis, this.#prefix + key, value), callback);
  }

  destroy(key: string, callback?: Callback<void>): Promise<void> | undefined {
    return answer(this.#redis.del(this.#prefix + key).then(() => undefined), callback);
  }

  /** express-session's touch: the key's expiry (and a record's own) moves to the value's. */
  touch(key: string, value: object, callback?: Callback<void>): Promise<void> | undefined {
    const { expiresAt, ttlMs } = this.#lifetimeOf(value);
    return answer(this.#redis.run(TOUCH, [this.#prefix + key], [String(expiresAt), String(ttlMs)]).then(() => undefined), callback);
  }

  async updateSession(change: SessionChange): Promise<SessionRecord | true | null> {
    if (change.to !== change.key) return this.#move(change);
    const fields = Object.keys(change.set).flatMap((name) => [`.${name}`, JSON.stringify(change.set[name])]);
    const args = [
      String(change.now), change.ttlMs === undefined ? '' : String(change.ttlMs), change.absoluteTtlMs === undefined ? '' : String(change.absoluteTtlMs),
      change.owner === undefined ? '=' : change.owner === null ? '' : `:${change.owner}`, change.replace ? '1' : '0', String(fields.length / 2),
      change.lastSeenAt === undefined ? '' : String(change.lastSeenAt), change.returnRecord ? '1' : '0', ...fields,
      ...change.unset.map((name) => `.${name}`),
    ];
    const answered = await this.#engine.run(UPDATE, [this.#prefix + change.key], args);
    if (!answered) return null;
    return Array.isArray(answered) ? fromHash(pairsOf(answered as string[])) as SessionRecord : true;
  }

  /**
   * A new key: the session is taken from the old one (read and removed in one step, so no
   * writer can change it there afterwards), then written under the new one. Keys of one session
   * are on different nodes of a cluster, so this is two round trips, not one.
   */
  async #move(change: SessionChange): Promise<SessionRecord | null> {
    const taken = await this.#engine.run(TAKE, [this.#prefix + change.key], []);
    if (!taken) return null;
    const moved = applySessionChange(fromHash(pairsOf(taken as string[])) as SessionRecord, change);
    if (moved !== null) await this.#write(this.#engine, this.#prefix + change.to, moved);
    return moved;
  }

  length(callback?: Callback<number>): Promise<number> | undefined {
    return answer(this.#keys().then((keys) => keys.length), callback);
  }

  /** Every session, by its key (as express-session's MemoryStore answers). */
  all(callback?: Callback<any>): Promise<Record<string, unknown>> | undefined {
    return answer(this.#keys().then(async (keys) => {
      const values = await Promise.all(keys.map(async (key) => [key.slice(this.#prefix.length), fromHash(await this.#redis.hGetAll(key))] as const));
      return Object.fromEntries(values.filter(([, value]) => value !== null));
    }), callback);
  }

  clear(callback?: Callback<void>): Promise<void> | undefined {
    return answer(this.#keys().then(async (keys) => {
      await Promise.all(keys.map((key) => this.#redis.del(key)));
    }), callback);
  }

  #keys(): Promise<string[]> {
    const { keysWithPrefix } = this.#redis;
    if (!keysWithPrefix) {
      return Promise.reject(new TokenSessionError('ERR_UNSUPPORTED', 'redisStore offers no all, length or clear on a Redis Cluster: they would scan every node'));
    }
    return keysWithPrefix(this.#prefix);
  }

  async #write(redis: RedisCommands, key: string, value: object): Promise<void> {
    const { expiresAt } = this.#lifetimeOf(value);
    if (expiresAt <= Date.now()) {
      await redis.del(key);
      return;
    }
    await redis.run(WRITE, [key], [String(expiresAt), ...toHash(value)]);
  }

  /** When a value expires, and its idle TTL (a record keeps both). */
  #lifetimeOf(value: object): { expiresAt: number; ttlMs: number } {
    const originalMaxAge = (value as { cookie?: { originalMaxAge?: unknown } }).cookie?.originalMaxAge;
    return { expiresAt: expiryOf(value, this.#defaultTtlMs), ttlMs: typeof originalMaxAge === 'number' ? originalMaxAge : this.#defaultTtlMs };
  }
}

export function redisStore(options: RedisStoreOptions): RedisSessionStore {
  return new RedisSessionStore(options);
}

/** The hash fields of a value (after the expiry, the script's first argument). */
function toHash(value: object): string[] {
  if (!isRecordShaped(value)) return ['$json', JSON.stringify(value)];
  const { cookie, data, createdAt, owner, once, authenticatedAt, meta } = value;
  const { expires: _expires, originalMaxAge, ...restOfCookie } = JSON.parse(JSON.stringify(cookie)) as { expires: string; originalMaxAge: number };
  const fields = ['$createdAt', String(createdAt), '$ttl', String(originalMaxAge), '$expires', String(Date.parse(_expires)), '$cookie', JSON.stringify(restOfCookie)];
  if (owner !== undefined) fields.push('$owner', owner);
  if (authenticatedAt !== undefined) fields.push('$authenticatedAt', String(authenticatedAt));
  if (meta !== undefined) {
    if (meta.userAgent !== undefined) fields.push('$userAgent', meta.userAgent);
    if (meta.ip !== undefined) fields.push('$ip', meta.ip);
    fields.push('$lastSeenAt', String(meta.lastSeenAt));
  }
  if (once) fields.push('$once', '1');
  for (const name of Object.keys(data)) {
    const json = JSON.stringify((data as Record<string, unknown>)[name]);
    if (json !== undefined) fields.push(`.${name}`, json);
  }
  return fields;
}

/** The value a hash holds, or `null` for none (an empty hash is a missing key). */
function fromHash(hash: Record<string, string>): unknown {
  if (hash['$json'] !== undefined) return JSON.parse(hash['$json']);
  if (hash['$createdAt'] === undefined) return null;
  const data: Record<string, unknown> = {};
  for (const field of Object.keys(hash)) {
    if (field.charCodeAt(0) !== 46 /* . */) continue;
    const name = field.slice(1);
    const value: unknown = JSON.parse(hash[field]!);
    // A key named "__proto__" must stay a key, which `=` would not make it.
    if (name === '__proto__') Object.defineProperty(data, name, { value, enumerable: true, writable: true, configurable: true });
    else data[name] = value;
  }
  const cookie = { ...(JSON.parse(hash['$cookie'] ?? '{}') as object), originalMaxAge: Number(hash['$ttl']), expires: new Date(Number(hash['$expires'])) };
  const record: SessionRecord = { cookie, data, createdAt: Number(hash['$createdAt']) };
  if (hash['$owner'] !== undefined) record.owner = hash['$owner'];
  if (hash['$authenticatedAt'] !== undefined) record.authenticatedAt = Number(hash['$authenticatedAt']);
  if (hash['$lastSeenAt'] !== undefined) {
    // In the order the engine writes them, so a record read back is the record written.
    const meta = {} as SessionMetadata;
    if (hash['$userAgent'] !== undefined) meta.userAgent = hash['$userAgent'];
    if (hash['$ip'] !== undefined) meta.ip = hash['$ip'];
    meta.lastSeenAt = Number(hash['$lastSeenAt']);
    record.meta = meta;
  }
  if (hash['$once'] !== undefined) record.once = true;
  return record;
}

/** HGETALL's answer inside a script: a flat list of fields and values. */
function pairsOf(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

/** A token-session record (or anything of exactly its shape), kept field by field; anything else is kept whole. */
function isRecordShaped(value: object): value is SessionRecord<object> {
  const { cookie, data, createdAt, owner, once, authenticatedAt, meta } = value as Partial<SessionRecord>;
  return Object.keys(value).every((name) => RECORD_FIELDS.has(name))
    && typeof cookie === 'object' && cookie !== null && typeof cookie.originalMaxAge === 'number'
    && (cookie.expires instanceof Date || typeof cookie.expires === 'string')
    && typeof data === 'object' && data !== null && !Array.isArray(data)
    && typeof createdAt === 'number' && Number.isFinite(createdAt)
    && (owner === undefined || typeof owner === 'string') && (once === undefined || once === true)
    && (authenticatedAt === undefined || Number.isFinite(authenticatedAt))
    && (meta === undefined || (typeof meta === 'object' && meta !== null && Number.isFinite(meta.lastSeenAt)
      && (meta.userAgent === undefined || typeof meta.userAgent === 'string') && (meta.ip === undefined || typeof meta.ip === 'string')));
}
