// A master killed while clients send thousands of requests to the Redis example: only 503s meanwhile, every request answered again afterwards, every acknowledged write kept.
import { randomUUID } from 'node:crypto';
import { createCluster, createSentinel } from 'redis';
import { startServerProcess, type ServerProcess } from '../helpers/example-process';
import { describeWith, type TestServerName } from '../helpers/real-servers';
import { hostAndPort, mastersOf } from '../helpers/redis-cluster';
import { startRedisCluster, startRedisSentinels } from '../helpers/servers';
import { storeKeyOfToken } from '../helpers/store-keys';

/** The app's `storeTimeout` (examples/redis/server.mjs and its ioredis twin). */
const STORE_TIMEOUT = 1000;
const CLIENTS = 4;
const MIN_REQUESTS = 3000;
/** Every request after the last failure succeeds for at least this long before the load stops. */
const CALM = 2000;
/** A new sign-in every this many requests of a client, so that sessions are also made during the failover. */
const REQUESTS_PER_SESSION = 150;

/** The same app on node-redis (the example itself) and on ioredis. */
const APPS = [
  { name: 'node-redis 6 and connect-redis 9 (examples/redis/server.mjs)', script: 'examples/redis/server.mjs' },
  { name: 'ioredis 5 and connect-redis 7', script: 'test/fixtures/ioredis-server.mjs' },
];

/** Redis started for one test: where the app finds it, which node to kill, and a way to read a key afterwards. */
interface Topology {
  env: Record<string, string>;
  /** The master to kill, given the store keys of the sessions in use (one of them must live there). */
  victim(keys: string[]): Promise<string>;
  kill(node: string): Promise<void>;
  /** A fresh client's reader of keys, once the failover is over. */
  reader(killed: string): Promise<{ get(key: string): Promise<string | null>; close(): void }>;
  stop(): Promise<void>;
}

const TOPOLOGIES: Array<{ name: string; server: TestServerName; start(): Promise<Topology> }> = [
  {
    name: 'a Redis Cluster master',
    server: 'redis-cluster',
    start: async () => {
      const cluster = await startRedisCluster();
      return {
        env: { REDIS_CLUSTER_NODES: cluster.nodes.join(',') },
        victim: async (keys) => (await mastersOf(cluster.nodes[0]!, keys))[0]!,
        kill: cluster.kill,
        reader: async (killed) => {
          const client = createCluster({ rootNodes: cluster.nodes.filter((node) => node !== killed).map((url) => ({ url })) });
          await client.connect();
          return { get: (key) => client.get(key), close: () => client.destroy() };
        },
        stop: cluster.stop,
      };
    },
  },
  {
    name: 'the Sentinel group\'s master',
    server: 'redis-sentinel',
    start: async () => {
      const group = await startRedisSentinels();
      return {
        env: { REDIS_SENTINELS: group.sentinels.join(','), REDIS_SENTINEL_NAME: group.masterName },
        victim: async () => group.nodes[0]!,
        kill: group.kill,
        reader: async () => {
          const client = createSentinel({ name: group.masterName, sentinelRootNodes: group.sentinels.map(hostAndPort) });
          await client.connect();
          return { get: (key) => client.get(key), close: () => client.destroy() };
        },
        stop: group.stop,
      };
    },
  },
];

interface Answer {
  at: number;
  ms: number;
  status: number;
  route: string;
}

/** A session a client signed into (a 200 from /login), and every count a 200 from /count acknowledged. */
interface Signed {
  token: string;
  acknowledged: number[];
}

/** One client: sign in, then count and read back, over and over, until told to stop. */
async function client(app: ServerProcess, name: string, answers: Answer[], signed: Signed[], running: () => boolean): Promise<void> {
  const call = async (method: string, path: string, token?: string) => {
    const at = Date.now();
    const res = await fetch(app.url + path, { method, headers: token ? { 'x-session-token': token } : {} });
    const body = (await res.json()) as Record<string, unknown>;
    answers.push({ at, ms: Date.now() - at, status: res.status, route: `${method} ${path.split('?')[0]}` });
    return { status: res.status, body };
  };
  let current: Signed | undefined;
  for (let n = 0; running(); n += 1) {
    if (!current || n % REQUESTS_PER_SESSION === 0) {
      const { status, body } = await call('POST', `/login?user=${name}`);
      if (status === 200) signed.push((current = { token: body['token'] as string, acknowledged: [] }));
      continue;
    }
    if (n % 2 === 0) {
      const { status, body } = await call('POST', '/count', current.token);
      if (status === 200) current.acknowledged.push(body['count'] as number);
    } else {
      const { status, body } = await call('GET', '/me', current.token);
      // A read sees every write acknowledged before it.
      if (status === 200) expect(body['count']).toBeGreaterThanOrEqual(current.acknowledged.at(-1) ?? 0);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const topology of TOPOLOGIES) describeWith(topology.server, `${topology.name} killed under HTTP load`, () => {
  test.each(APPS)('$name: 503s only while it is down, every request answered after, every acknowledged write kept', async ({ script }) => {
    const redis = await topology.start();
    const prefix = `ts-load:${randomUUID()}:`;
    const app = await startServerProcess(script, { ...redis.env, REDIS_PREFIX: prefix });
    const answers: Answer[] = [];
    const signed: Signed[] = [];
    let running = true;
    try {
      const clients = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(app, `user${i}`, answers, signed, () => running)));
      clients.catch(() => undefined); // awaited below; a failed expectation must not surface as an unhandled rejection first
      while (answers.length < 300) await sleep(20);
      const keyOf = (token: string) => `${prefix}sess:${storeKeyOfToken(token)}`;
      const victim = await redis.victim(signed.map(({ token }) => keyOf(token)));
      await redis.kill(victim);
      const killedAt = Date.now();

      const failures = () => answers.filter((answer) => answer.status !== 200);
      const lastFailureEnd = () => Math.max(...failures().map(({ at, ms }) => at + ms));
      while (answers.length < MIN_REQUESTS || failures().length === 0 || Date.now() - lastFailureEnd() < CALM) {
        if (Date.now() - killedAt > 40_000) throw new Error(`no recovery within 40 s: ${failures().length} failures of ${answers.length} requests`);
        await sleep(50);
      }
      running = false;
      await clients;

      // Only 200s and 503s, and no request held much past the store timeout: a call to the dead
      // master fails at once or at the timeout, and the calls after it go to a live one.
      const statuses = new Set(answers.map(({ status }) => status));
      expect([...statuses].sort()).toEqual([200, 503]);
      const slowest = Math.max(...answers.map(({ ms }) => ms));
      expect(slowest).toBeLessThan(STORE_TIMEOUT + 500);
      const recoveredAfter = lastFailureEnd() - killedAt;

      // Every session signed into is in the store, with every count acknowledged: none lost, none
      // acknowledged twice (a lost write shows as a count given out again).
      const reader = await redis.reader(victim);
      let checked = 0;
      try {
        for (const { token, acknowledged } of signed) {
          const record = await reader.get(keyOf(token));
          expect(record).not.toBeNull();
          const stored = (JSON.parse(record!) as { data: { count: number } }).data.count;
          expect(acknowledged).toEqual([...new Set(acknowledged)].sort((a, b) => a - b));
          expect(stored).toBeGreaterThanOrEqual(acknowledged.at(-1) ?? 0);
          checked += 1 + acknowledged.length;
        }
      } finally {
        reader.close();
      }
      const failed = failures();
      console.log([
        `${topology.name} killed, ${script}: ${answers.length} requests, ${failed.length} answered 503`,
        `(${[...new Set(failed.map(({ route }) => route))].join(', ')}), every request answered again ${recoveredAfter} ms after the kill,`,
        `slowest answer ${slowest} ms, ${checked} acknowledged writes (${signed.length} sign-ins) found in the store`,
      ].join(' '));
    } finally {
      running = false;
      await app.stop();
      await redis.stop();
    }
  }, 90_000);
});
