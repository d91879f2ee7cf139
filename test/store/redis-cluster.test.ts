// Sessions, owners and one-time tokens on a real 6-node Redis Cluster, through node-redis and ioredis.
import { randomUUID } from 'node:crypto';
import { RedisStore } from 'connect-redis';
import RedisStore7 from 'connect-redis7';
import { Cluster as IORedisCluster } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { redisIndex, TokenSession, type ExpressSessionStore, type RedisIndexClient } from '../../src';
import { describeWith, redisClusterNodes } from '../helpers/real-servers';

type Data = { userId: string; n?: number };

interface OnCluster {
  store: ExpressSessionStore;
  index: RedisIndexClient;
  prefix: string;
  close(): Promise<void> | void;
}

/** Which master serves the slot of each key, asked of the cluster itself. */
async function masterOf(keys: string[]): Promise<string[]> {
  const node = createClient({ url: redisClusterNodes[0]! });
  await node.connect();
  try {
    const ranges = (await node.sendCommand(['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number]]>;
    return await Promise.all(keys.map(async (key) => {
      const slot = Number(await node.sendCommand(['CLUSTER', 'KEYSLOT', key]));
      const [, , [host, port]] = ranges.find(([start, end]) => slot >= start && slot <= end)!;
      return `${host}:${port}`;
    }));
  } finally {
    node.destroy();
  }
}

function clusterSuite(name: string, open: () => Promise<OnCluster>): void {
  describe(name, () => {
    let cluster: OnCluster;
    let sessions: TokenSession<Data>;
    beforeAll(async () => {
      cluster = await open();
      sessions = new TokenSession<Data>({ store: cluster.store, index: redisIndex(cluster.index, { prefix: cluster.prefix }), ownerKey: 'userId', ttl: 600 });
    });
    afterAll(() => cluster.close());

    test('the whole API', async () => {
      const { sid } = await sessions.new({ userId: 'whole-api', n: 1 });
      expect(await sessions.get(sid)).toEqual({ userId: 'whole-api', n: 1 });
      await sessions.set(sid, { userId: 'whole-api', n: 2 });
      expect(await sessions.getNotTouch(sid)).toEqual({ userId: 'whole-api', n: 2 });
      expect(await sessions.touch(sid)).toBe(true);
      const moved = await sessions.regenerate(sid);
      expect(await sessions.get(sid)).toBeNull();
      expect(await sessions.destroy(moved)).toBe(true);
      expect(await sessions.get(moved)).toBeNull();
    });

    test('list, destroyAll and destroyById, for owners whose indexes are on different masters', async () => {
      const owners = Array.from({ length: 6 }, (_, i) => `owner-${i}-${randomUUID()}`);
      const masters = await masterOf(owners.map((owner) => `{${owner}}`));
      expect(new Set(masters).size).toBeGreaterThanOrEqual(2);

      const tokens = new Map<string, string[]>();
      for (const owner of owners) {
        tokens.set(owner, [(await sessions.new({ userId: owner })).sid, (await sessions.new({ userId: owner })).sid]);
      }
      for (const owner of owners) expect((await sessions.list(owner)).map(({ data }) => data.userId)).toEqual([owner, owner]);

      const [first, second] = owners as [string, string];
      expect(await sessions.destroyAll(first)).toBe(2);
      for (const sid of tokens.get(first)!) expect(await sessions.get(sid)).toBeNull();
      expect(await sessions.list(first)).toEqual([]);

      const [one] = await sessions.list(second);
      expect(await sessions.destroyById(one!.id)).toBe(true);
      expect(await sessions.list(second)).toHaveLength(1);

      // A session whose data names another owner leaves the first owner's list.
      const [moving] = tokens.get(owners[2]!)!;
      await sessions.set(moving!, { userId: owners[3]! });
      expect(await sessions.list(owners[2]!)).toHaveLength(1);
      expect(await sessions.list(owners[3]!)).toHaveLength(3);
    });

    test('50 concurrent consume of one token: exactly one gets the data', async () => {
      const code = await sessions.newOnce({ userId: 'reset' }, 60);
      const results = await Promise.all(Array.from({ length: 50 }, () => sessions.consume(code)));
      expect(results.filter((result) => result !== null)).toEqual([{ userId: 'reset' }]);
    });
  });
}

describeWith('redis-cluster', 'on a 6-node Redis Cluster', () => {
  clusterSuite('node-redis createCluster, connect-redis 9', async () => {
    const cluster = createCluster({ rootNodes: redisClusterNodes.map((url) => ({ url })) });
    await cluster.connect();
    const prefix = `ts-cluster:${randomUUID()}:`;
    return {
      store: new RedisStore({ client: cluster, prefix: `${prefix}sess:` }) as unknown as ExpressSessionStore,
      index: cluster as unknown as RedisIndexClient,
      prefix,
      close: () => cluster.destroy(),
    };
  });

  clusterSuite('ioredis Cluster, connect-redis 7', async () => {
    const cluster = new IORedisCluster(redisClusterNodes.map((url) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) })));
    const prefix = `ts-cluster:${randomUUID()}:`;
    return {
      store: new RedisStore7({ client: cluster, prefix: `${prefix}sess:` }) as unknown as ExpressSessionStore,
      index: cluster as unknown as RedisIndexClient,
      prefix,
      close: () => cluster.disconnect(),
    };
  });
});
