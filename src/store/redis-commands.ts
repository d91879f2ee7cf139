// The Redis commands redisIndex and redisStore send, the same for node-redis and ioredis: the one place that tells the two clients apart.
import { createHash } from 'node:crypto';

/**
 * A Redis client: node-redis 5+ (`createClient`, `createCluster`, `createSentinel`) or ioredis
 * (`Redis`, `Cluster`). They spell `eval`, `set` and `scan` differently.
 */
export type RedisClient = NodeRedisLike | IoRedisLike;

interface NodeRedisLike {
  /** node-redis 5+: the same client, its commands sent with these options. */
  withCommandOptions?(options: { timeout: number }): NodeRedisLike;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  set(key: string, value: string, options: { PXAT: number; NX?: true }): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<unknown>;
  hGetAll(key: string): Promise<Record<string, string>>;
  scan?(cursor: string, options: { MATCH: string; COUNT: number }): Promise<{ cursor: string | number; keys: string[] }>;
}

interface IoRedisLike {
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  evalsha(sha: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  // Its many overloads of SET (one per option order) take the options as separate arguments.
  set(key: string, value: string, ...options: any[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
  scan?(cursor: string, ...options: any[]): Promise<[string, string[]]>;
  /** Only ioredis has it: how the two are told apart. */
  defineCommand(name: string, definition: object): void;
}

/** A Lua script, sent by its SHA-1 (EVALSHA) once the server has it. */
export interface RedisScript {
  source: string;
  sha: string;
}

export function redisScript(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** The commands the index and the store send, the same for both clients. Every one touches the keys it is given only. */
export interface RedisCommands {
  /** EVALSHA, and EVAL where the server does not have the script yet (each node of a cluster learns it so). */
  run(script: RedisScript, keys: string[], args: string[]): Promise<unknown>;
  setUntil(key: string, value: string, expiresAt: number, onlyIfNew: boolean): Promise<boolean>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<unknown>;
  hGetAll(key: string): Promise<Record<string, string>>;
  /** Every key with this prefix (SCAN), or `undefined` on a cluster, where that means scanning every node. */
  keysWithPrefix: ((prefix: string) => Promise<string[]>) | undefined;
}

/**
 * @param boundedByEngine every call is one the engine makes, which it bounds with `storeTimeout`
 *   itself: node-redis' own command timeout (`commandOptions.timeout`, 5 s by default since 6.0)
 *   is then left off. It counts only until a command is written, and arms an
 *   `AbortSignal.timeout` for each one, which costs more CPU than the rest of sending it
 *   (BENCHMARKS.md); ioredis arms nothing unless asked.
 */
export function redisCommandsOf(client: RedisClient, boundedByEngine: boolean): RedisCommands {
  const cluster = isCluster(client);
  if (typeof (client as IoRedisLike).defineCommand === 'function') {
    const io = client as IoRedisLike;
    return {
      run: (script, keys, args) => withScript(
        () => io.evalsha(script.sha, keys.length, ...keys, ...args),
        () => io.eval(script.source, keys.length, ...keys, ...args),
      ),
      setUntil: async (key, value, at, onlyIfNew) => (await io.set(key, value, 'PXAT', at, ...(onlyIfNew ? ['NX'] : []))) === 'OK',
      get: (key) => io.get(key),
      del: (key) => io.del(key),
      hGetAll: (key) => io.hgetall(key),
      keysWithPrefix: cluster || !io.scan ? undefined : (prefix) => scanAll(async (cursor) => io.scan!(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 100)),
    };
  }
  const given = client as NodeRedisLike;
  const node = boundedByEngine && typeof given.withCommandOptions === 'function' ? given.withCommandOptions({ timeout: 0 }) : given;
  return {
    run: (script, keys, args) => withScript(
      () => node.evalSha(script.sha, { keys, arguments: args }),
      () => node.eval(script.source, { keys, arguments: args }),
    ),
    setUntil: async (key, value, at, onlyIfNew) => (await node.set(key, value, onlyIfNew ? { PXAT: at, NX: true } : { PXAT: at })) === 'OK',
    get: (key) => node.get(key),
    del: (key) => node.del(key),
    hGetAll: (key) => node.hGetAll(key),
    keysWithPrefix: cluster || !node.scan ? undefined : (prefix) => scanAll(async (cursor) => {
      const page = await node.scan!(cursor, { MATCH: `${escapeGlob(prefix)}*`, COUNT: 100 });
      return [String(page.cursor), page.keys];
    }),
  };
}

/** node-redis' cluster has `masters`; ioredis' says `isCluster`. */
function isCluster(client: RedisClient): boolean {
  return (client as { isCluster?: boolean }).isCluster === true || Array.isArray((client as { masters?: unknown }).masters);
}

async function withScript(bySha: () => Promise<unknown>, bySource: () => Promise<unknown>): Promise<unknown> {
  try {
    return await bySha();
  } catch (err) {
    if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
    return bySource();
  }
}

async function scanAll(page: (cursor: string) => Promise<[string, string[]]>): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await page(cursor);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return [...new Set(keys)]; // SCAN may return a key twice
}

/** A prefix as a SCAN pattern matches it literally. */
function escapeGlob(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, '\\$&');
}
