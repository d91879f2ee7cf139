// One session, many processes: on redisStore every disjoint change lands and no write brings back a destroyed or expired session; on connect-redis (the generic path) changes are lost.
import { randomUUID } from 'node:crypto';
import { createClient, createCluster } from 'redis';
import { startServerProcess, type ServerProcess } from '../helpers/example-process';
import { describeWith, redisClusterNodes, redisUrl, type TestServerName } from '../helpers/real-servers';
import { storeKeyOfToken } from '../helpers/store-keys';

const PROCESSES = 3;
const REQUESTS_PER_PROCESS = 30;

const TOPOLOGIES: Array<{ name: string; server: TestServerName; env: () => Record<string, string>; client: () => { connect(): Promise<unknown>; exists(key: string): Promise<number>; destroy(): void } }> = [
  { name: 'one redis-server', server: 'redis', env: () => ({ REDIS_URL: redisUrl! }), client: () => createClient({ url: redisUrl! }) },
  { name: 'a Redis Cluster', server: 'redis-cluster', env: () => ({ REDIS_CLUSTER_NODES: redisClusterNodes.join(',') }), client: () => createCluster({ rootNodes: redisClusterNodes.map((url) => ({ url })) }) },
];

async function call(server: ServerProcess, method: string, path: string, token?: string) {
  const res = await fetch(server.url + path, { method, headers: token ? { 'x-session-token': token } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

for (const topology of TOPOLOGIES) describeWith(topology.server, `one session changed from ${PROCESSES} processes at once, on ${topology.name}`, () => {
  const servers: Record<string, ServerProcess[]> = {};
  let redis: ReturnType<typeof topology.client>;
  const prefix = `ts-atomic:${randomUUID()}:`;
  const stored = async (token: string) => (await redis.exists(prefix + storeKeyOfToken(token))) === 1;

  beforeAll(async () => {
    for (const store of ['redisStore', 'connect-redis']) {
      servers[store] = await Promise.all(Array.from({ length: PROCESSES }, () => startServerProcess('test/fixtures/merge-server.mjs', { ...topology.env(), STORE: store, REDIS_PREFIX: prefix })));
    }
    redis = topology.client();
    await redis.connect();
  }, 30_000);
  afterAll(async () => {
    redis?.destroy();
    await Promise.all(Object.values(servers).flat().map((server) => server.stop()));
  });

  /** Each process sets its own keys of one session, all at once; how many of them the session keeps. */
  async function setDisjointKeys(store: string): Promise<number> {
    const [first] = servers[store]!;
    const token = (await call(first!, 'POST', '/login')).body['token'] as string;
    const answers = await Promise.all(Array.from({ length: PROCESSES * REQUESTS_PER_PROCESS }, (_, i) => call(servers[store]![i % PROCESSES]!, 'POST', `/set/k${i}`, token)));
    expect(answers.every(({ status }) => status === 200)).toBe(true);
    return Object.keys((await call(first!, 'GET', '/me', token)).body).length;
  }

  test(`${PROCESSES} × ${REQUESTS_PER_PROCESS} requests setting disjoint keys: redisStore keeps every key, connect-redis loses some`, async () => {
    const asked = PROCESSES * REQUESTS_PER_PROCESS;
    expect(await setDisjointKeys('redisStore')).toBe(asked);
    // The generic path reads, merges and writes: a change another process commits between its
    // read and its write is overwritten. Lost keys are likely, not certain, in one attempt.
    const generic: number[] = [];
    for (let attempt = 0; attempt < 5 && !generic.some((kept) => kept < asked); attempt += 1) generic.push(await setDisjointKeys('connect-redis'));
    expect(Math.min(...generic)).toBeLessThan(asked);
    console.log(`${topology.name}: ${asked} disjoint keys set at once from ${PROCESSES} processes; redisStore kept ${asked}, connect-redis kept ${generic.join(', ')}`);
  }, 60_000);

  test('a write racing a destroy from another process never brings the session back (redisStore)', async () => {
    const [a, b] = servers['redisStore']!;
    for (let round = 0; round < 20; round += 1) {
      const token = (await call(a!, 'POST', '/login')).body['token'] as string;
      // The write's session is loaded before the logout and committed after it (or about when, for the later rounds).
      const wait = round < 10 ? 100 : round - 10;
      const write = call(a!, 'POST', `/set/late?wait=${wait}`, token);
      await new Promise((resolve) => setTimeout(resolve, round < 10 ? 30 : 0));
      expect((await call(b!, 'POST', '/logout', token)).status).toBe(200);
      expect((await write).status).toBe(200);
      expect(await stored(token)).toBe(false);
      expect((await call(b!, 'GET', '/me', token)).status).toBe(401);
    }
  });

  test('a write committed after the session expired writes nothing (redisStore)', async () => {
    const [a] = servers['redisStore']!;
    const token = (await call(a!, 'POST', '/login?ttl=1')).body['token'] as string;
    expect((await call(a!, 'POST', '/set/late?wait=1300', token)).status).toBe(200);
    expect(await stored(token)).toBe(false);
    expect((await call(a!, 'GET', '/me', token)).status).toBe(401);
  });
});
