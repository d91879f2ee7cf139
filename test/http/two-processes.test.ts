// Two processes sharing a store and a Redis index: on one redis-server, on a Redis Cluster, on a Sentinel group.
import { randomUUID } from 'node:crypto';
import { startServerProcess, type ServerProcess as Server } from '../helpers/example-process';
import { describeWith, redisClusterNodes, redisSentinels, redisUrl, SENTINEL_MASTER_NAME, type TestServerName } from '../helpers/real-servers';

/** Where the example finds Redis, in its own environment variables. */
const TOPOLOGIES: Array<{ name: string; server: TestServerName; env: () => Record<string, string> }> = [
  { name: 'one redis-server', server: 'redis', env: () => ({ REDIS_URL: redisUrl! }) },
  { name: 'a 6-node Redis Cluster', server: 'redis-cluster', env: () => ({ REDIS_CLUSTER_NODES: redisClusterNodes.join(',') }) },
  { name: 'a Sentinel group', server: 'redis-sentinel', env: () => ({ REDIS_SENTINELS: redisSentinels.join(','), REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME }) },
];

/** Two server processes (examples/redis/server.mjs, on the built package) sharing one Redis. */
const startServer = (prefix: string, redis: Record<string, string>) => startServerProcess('examples/redis/server.mjs', { ...redis, REDIS_PREFIX: prefix });

async function call(server: Server, method: string, path: string, token?: string) {
  const res = await fetch(server.url + path, { method, headers: token ? { 'x-session-token': token } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

for (const topology of TOPOLOGIES) describeWith(topology.server, `two processes sharing ${topology.name}`, () => {
  let a: Server;
  let b: Server;

  beforeAll(async () => {
    const prefix = `ts-test:${randomUUID()}:`;
    [a, b] = await Promise.all([startServer(prefix, topology.env()), startServer(prefix, topology.env())]);
  }, 20_000);
  afterAll(() => Promise.all([a?.stop(), b?.stop()]));

  test('a session made in one process is read, changed and destroyed through the other', async () => {
    const { body } = await call(a, 'POST', '/login?user=ana');
    const token = body['token'] as string;
    expect((await call(b, 'GET', '/me', token)).body).toEqual({ user: 'ana', count: 0 });
    expect((await call(b, 'POST', '/count', token)).body).toEqual({ count: 1 });
    expect((await call(a, 'GET', '/me', token)).body).toEqual({ user: 'ana', count: 1 });
    expect((await call(b, 'POST', '/logout', token)).status).toBe(200);
    expect((await call(a, 'GET', '/me', token)).status).toBe(401);
  });

  test('destroyAll through one process ends the sessions made through both', async () => {
    const onA = (await call(a, 'POST', '/login?user=bo')).body['token'] as string;
    const onB = (await call(b, 'POST', '/login?user=bo')).body['token'] as string;
    const other = (await call(b, 'POST', '/login?user=cy')).body['token'] as string;
    expect((await call(b, 'GET', '/sessions', onA)).body).toHaveLength(2);
    expect((await call(a, 'POST', '/logout-everywhere', onA)).body).toEqual({ ended: 2 });
    for (const server of [a, b]) {
      expect((await call(server, 'GET', '/me', onA)).status).toBe(401);
      expect((await call(server, 'GET', '/me', onB)).status).toBe(401);
      expect((await call(server, 'GET', '/me', other)).status).toBe(200);
    }
  });

  test('a one-time link opened 50 times at once, split across both processes, works exactly once', async () => {
    const token = (await call(a, 'POST', '/login?user=di')).body['token'] as string;
    const link = new URL((await call(b, 'POST', '/email-link', token)).body['link'] as string);
    const opened = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await fetch((i % 2 === 0 ? a : b).url + link.pathname + link.search);
        return { status: res.status, page: await res.text() };
      }),
    );
    const winners = opened.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.page).toContain('Email verified for di');
    expect(opened.filter((r) => r.status === 410)).toHaveLength(49);
  });
});
