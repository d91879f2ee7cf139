// redisIndex(client): owner sets and one-time claims in Redis, shared by every process, on one server or a Redis Cluster, through node-redis or ioredis.
import { TokenSessionError } from '../errors';
import { redisCommandsOf, redisScript, type RedisClient } from './redis-commands';
import type { IndexEntry, SessionIndex } from './session-index';

/** The client `redisIndex` takes: node-redis 5+ (`createClient`, `createCluster`, `createSentinel`) or ioredis (`Redis`, `Cluster`). */
export type RedisIndexClient = RedisClient;

export interface RedisIndexOptions {
  /**
   * Prefix of every key the index writes. No `{` or `}`: the index puts each owner's keys under
   * a hash tag of its own, which a brace in the prefix would change.
   * @default 'token-session:'
   */
  prefix?: string;
}

// Each owner's index is a sorted set of its sessions' public ids by expiry, under the owner's own
// hash tag (owners spread over a cluster's masters), living as long as its longest-lived session.
// Each script touches only the one key it is given.
const ADD = redisScript(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
if redis.call('PEXPIRETIME', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end`);

const REMOVE = redisScript(`redis.call('ZREM', KEYS[1], ARGV[1])`);

// Drops expired ids, then returns the rest, in one round trip.
const OWNED = redisScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)`);

/**
 * An index in Redis, shared by every process that uses the same server or cluster: `list` and
 * `destroyAll` see sessions made anywhere, and one-time claims are atomic (`SET NX`). Needs
 * Redis 7. Every command and script touches one key, so it works on a Redis Cluster as on one
 * server: an owner's set of ids, or one id's own record (`<prefix>id:<id>`: its owner and store
 * key, expiring with the session), which `keyOf` and `remove` look up by public id.
 */
export function redisIndex(client: RedisIndexClient, options: RedisIndexOptions = {}): SessionIndex {
  const prefix = options.prefix ?? 'token-session:';
  if (/[{}]/.test(prefix)) {
    throw new TokenSessionError('ERR_OPTIONS', `redisIndex option "prefix" must not contain { or }: each owner's keys get a hash tag of their own (got ${JSON.stringify(prefix)})`);
  }
  const redis = redisCommandsOf(client, true); // the engine calls an index only through toIndexCalls, which bounds each call
  // The tag is the owner: every key of one owner lands on one slot, and different owners on different ones.
  const ownerKeys = (owner: string) => [`${prefix}{${owner}}:ids`];
  const idKey = (id: string) => `${prefix}id:${id}`;
  const parse = (entry: string | null) => {
    const newline = entry ? entry.indexOf('\n') : -1;
    return newline === -1 ? null : { owner: entry!.slice(0, newline), key: entry!.slice(newline + 1) };
  };

  return {
    async add(owner, id, key, expiresAt) {
      // Sent together: one round trip on one server (the clients pipeline them). The session is
      // written only once both have succeeded, so one that failed leaves no session the index misses.
      await Promise.all([
        redis.run(ADD, ownerKeys(owner), [id, String(expiresAt)]),
        redis.setUntil(idKey(id), `${owner}\n${key}`, expiresAt, false),
      ]);
    },
    async remove(id) {
      const entry = parse(await redis.get(idKey(id)));
      if (entry === null) return;
      await Promise.all([redis.run(REMOVE, ownerKeys(entry.owner), [id]), redis.del(idKey(id))]);
    },
    async owned(owner) {
      const ids = (await redis.run(OWNED, ownerKeys(owner), [String(Date.now())])) as string[];
      // Each id's own record, one key each (on a cluster they are on every node): an id whose
      // session ended, or whose data now names another owner, is no longer this owner's.
      const entries = await Promise.all(ids.map(async (id) => ({ id, entry: parse(await redis.get(idKey(id))) })));
      const live: IndexEntry[] = [];
      for (const { id, entry } of entries) {
        if (entry !== null && entry.owner === owner) live.push({ id, key: entry.key });
        else await redis.run(REMOVE, ownerKeys(owner), [id]);
      }
      return live;
    },
    async keyOf(id) {
      return parse(await redis.get(idKey(id)))?.key ?? null;
    },
    async claim(name, expiresAt) {
      return redis.setUntil(`${prefix}claim:${name}`, '1', expiresAt, true);
    },
  };
}
