// redisIndex(client): owner sets and one-time claims in Redis, shared by every process.
import type { IndexEntry, SessionIndex } from './session-index';

/** The part of a node-redis (v4/v5) client the index uses. */
export interface RedisIndexClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  set(key: string, value: string, options: { PXAT: number; NX: true }): Promise<unknown>;
  get(key: string): Promise<string | null>;
}

export interface RedisIndexOptions {
  /**
   * Prefix of every key the index writes.
   * @default 'token-session:'
   */
  prefix?: string;
}

// One entry: the id's record ("owner\nkey", expiring with the session) and the owner's sorted
// set of ids scored by expiry, which lives as long as its longest-lived session.
const ADD = `
redis.call('SET', KEYS[2], ARGV[3] .. '\\n' .. ARGV[2], 'PXAT', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
if redis.call('PEXPIRETIME', KEYS[1]) < tonumber(ARGV[4]) then redis.call('PEXPIREAT', KEYS[1], ARGV[4]) end`;

const REMOVE = `
local entry = redis.call('GET', KEYS[1])
if entry then
  redis.call('ZREM', ARGV[1] .. string.match(entry, '^(.-)\\n'), ARGV[2])
  redis.call('DEL', KEYS[1])
end`;

// Drops expired ids, then returns the rest with their records (owner\nkey) in one round trip.
const OWNED = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local result = {}
for _, id in ipairs(ids) do
  table.insert(result, id)
  table.insert(result, redis.call('GET', ARGV[2] .. id) or '')
end
return result`;

/**
 * An index in Redis, shared by every process that uses the same server: `list`/`destroyAll`
 * see sessions made anywhere, and one-time claims are atomic (`SET NX`). Needs Redis 7.
 */
export function redisIndex(client: RedisIndexClient, options: RedisIndexOptions = {}): SessionIndex {
  const prefix = options.prefix ?? 'token-session:';
  const ownerKey = (owner: string) => `${prefix}owner:${owner}`;
  const idPrefix = `${prefix}id:`;
  const parse = (entry: string | null | undefined) => {
    const newline = entry ? entry.indexOf('\n') : -1;
    return newline === -1 ? null : { owner: entry!.slice(0, newline), key: entry!.slice(newline + 1) };
  };

  return {
    async add(owner, id, key, expiresAt) {
      await client.eval(ADD, { keys: [ownerKey(owner), idPrefix + id], arguments: [id, key, owner, String(expiresAt)] });
    },
    async remove(id) {
      await client.eval(REMOVE, { keys: [idPrefix + id], arguments: [`${prefix}owner:`, id] });
    },
    async owned(owner) {
      const flat = (await client.eval(OWNED, { keys: [ownerKey(owner)], arguments: [String(Date.now()), idPrefix] })) as string[];
      const live: IndexEntry[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const entry = parse(flat[i + 1]);
        // An id whose record moved to another owner (the data changed owner) is no longer this owner's.
        if (entry && entry.owner === owner) live.push({ id: flat[i]!, key: entry.key });
      }
      return live;
    },
    async keyOf(id) {
      return parse(await client.get(idPrefix + id))?.key ?? null;
    },
    async claim(name, expiresAt) {
      return (await client.set(`${prefix}claim:${name}`, '1', { PXAT: expiresAt, NX: true })) === 'OK';
    },
  };
}
