// One session, many processes: on redisStore and pgStore every disjoint change lands and no write brings back a destroyed or expired session; on connect-redis and connect-pg-simple (the generic path) changes are lost.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createClient, createCluster } from 'redis';
import { pgStoreSchema } from '../../stores/pg';
import { startServerProcess, type ServerProcess } from '../helpers/example-process';
import { describeWith, postgresUrl, redisClusterNodes, redisUrl, type TestServerName } from '../helpers/real-servers';
import { storeKeyOfToken } from '../helpers/store-keys';

const PROCESSES = 3;
const REQUESTS_PER_PROCESS = 30;

/** Where the sessions live: the atomic store and the generic one on the same server, and a look at what is stored. */
interface Topology {
  name: string;
  server: TestServerName;
  atomic: string;
  generic: string;
  /** The servers' environment, and whether a token's session is stored (alive), once the server is ready. */
  open(): Promise<{ env: Record<string, string>; stored(token: string): Promise<boolean>; close(): Promise<void> | void }>;
}

function redisTopology(name: string, server: TestServerName, client: () => { connect(): Promise<unknown>; exists(key: string): Promise<number>; destroy(): void }, env: () => Record<string, string>): Topology {
  return {
    name, server, atomic: 'redisStore', generic: 'connect-redis',
    open: async () => {
      const prefix = `ts-atomic:${randomUUID()}:`;
      const redis = client();
      await redis.connect();
      return { env: { ...env(), REDIS_PREFIX: prefix }, stored: async (token) => (await redis.exists(prefix + storeKeyOfToken(token))) === 1, close: () => redis.destroy() };
    },
  };
}

const TOPOLOGIES: Topology[] = [
  redisTopology('one redis-server', 'redis', () => createClient({ url: redisUrl! }), () => ({ REDIS_URL: redisUrl! })),
  redisTopology('a Redis Cluster', 'redis-cluster', () => createCluster({ rootNodes: redisClusterNodes.map((url) => ({ url })) }), () => ({ REDIS_CLUSTER_NODES: redisClusterNodes.join(',') })),
  {
    name: 'PostgreSQL', server: 'postgres', atomic: 'pgStore', generic: 'connect-pg-simple',
    open: async () => {
      // One table each for pgStore and connect-pg-simple (its own script), made before the servers start.
      const table = `ts_atomic_${randomUUID().replaceAll('-', '')}`;
      const pool = new Pool({ connectionString: postgresUrl });
      await pool.query(pgStoreSchema(table));
      await pool.query(readFileSync(join(__dirname, '../../node_modules/connect-pg-simple/table.sql'), 'utf8').replaceAll('"session', `"${table}_generic`).replace('"IDX_session_expire"', `"${table}_generic_expire"`));
      return {
        env: { PG_URL: postgresUrl!, PG_TABLE: table },
        // An expired row stays until it is pruned: what counts is a live one.
        stored: async (token) => (await pool.query(`SELECT 1 FROM ${table} WHERE sid = $1 AND expire > now()`, [storeKeyOfToken(token)])).rowCount === 1,
        close: () => pool.end(),
      };
    },
  },
];

async function call(server: ServerProcess, method: string, path: string, token?: string) {
  const res = await fetch(server.url + path, { method, headers: token ? { 'x-session-token': token } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

for (const topology of TOPOLOGIES) describeWith(topology.server, `one session changed from ${PROCESSES} processes at once, on ${topology.name}`, () => {
  const servers: Record<string, ServerProcess[]> = {};
  let opened: Awaited<ReturnType<Topology['open']>>;
  const stored = (token: string) => opened.stored(token);

  beforeAll(async () => {
    opened = await topology.open();
    for (const store of [topology.atomic, topology.generic]) {
      // connect-pg-simple's table is <table>_generic.
      const env = { ...opened.env, STORE: store, ...(store === 'connect-pg-simple' ? { PG_TABLE: `${opened.env['PG_TABLE']}_generic` } : {}) };
      servers[store] = await Promise.all(Array.from({ length: PROCESSES }, () => startServerProcess('test/fixtures/merge-server.mjs', env)));
    }
  }, 30_000);
  afterAll(async () => {
    await Promise.all(Object.values(servers).flat().map((server) => server.stop()));
    await opened?.close();
  });

  /** Each process sets its own keys of one session, all at once; how many of them the session keeps. */
  async function setDisjointKeys(store: string): Promise<number> {
    const [first] = servers[store]!;
    const token = (await call(first!, 'POST', '/login')).body['token'] as string;
    const answers = await Promise.all(Array.from({ length: PROCESSES * REQUESTS_PER_PROCESS }, (_, i) => call(servers[store]![i % PROCESSES]!, 'POST', `/set/k${i}`, token)));
    expect(answers.every(({ status }) => status === 200)).toBe(true);
    return Object.keys((await call(first!, 'GET', '/me', token)).body).length;
  }

  test(`${PROCESSES} × ${REQUESTS_PER_PROCESS} requests setting disjoint keys: ${topology.atomic} keeps every key, ${topology.generic} loses some`, async () => {
    const asked = PROCESSES * REQUESTS_PER_PROCESS;
    expect(await setDisjointKeys(topology.atomic)).toBe(asked);
    // The generic path reads, merges and writes: a change another process commits between its
    // read and its write is overwritten. Lost keys are likely, not certain, in one attempt.
    const generic: number[] = [];
    for (let attempt = 0; attempt < 5 && !generic.some((kept) => kept < asked); attempt += 1) generic.push(await setDisjointKeys(topology.generic));
    expect(Math.min(...generic)).toBeLessThan(asked);
    console.log(`${topology.name}: ${asked} disjoint keys set at once from ${PROCESSES} processes; ${topology.atomic} kept ${asked}, ${topology.generic} kept ${generic.join(', ')}`);
  }, 60_000);

  test(`a write racing a destroy from another process never brings the session back (${topology.atomic})`, async () => {
    const [a, b] = servers[topology.atomic]!;
    for (let round = 0; round < 20; round += 1) {
      const token = (await call(a!, 'POST', '/login')).body['token'] as string;
      // The write's session is loaded before the logout and committed after it (or about when, for the later rounds).
      const wait = round < 10 ? 100 : round - 10;
      const write = call(a!, 'POST', `/set/late?wait=${wait}`, token);
      await new Promise((resolve) => setTimeout(resolve, round < 10 ? 30 : 0));
      expect((await call(b!, 'POST', '/logout', token)).status).toBe(200);
      // 200, or 401 when the logout came first even for its load (the later rounds' close races).
      expect([200, 401]).toContain((await write).status);
      expect(await stored(token)).toBe(false);
      expect((await call(b!, 'GET', '/me', token)).status).toBe(401);
    }
  });

  test(`a write committed after the session expired writes nothing (${topology.atomic})`, async () => {
    const [a] = servers[topology.atomic]!;
    const token = (await call(a!, 'POST', '/login?ttl=1')).body['token'] as string;
    expect((await call(a!, 'POST', '/set/late?wait=1300', token)).status).toBe(200);
    expect(await stored(token)).toBe(false);
    expect((await call(a!, 'GET', '/me', token)).status).toBe(401);
  });
});
