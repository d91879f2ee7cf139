// Sessions, owners and one-time tokens on a real 6-node Redis Cluster and a real Sentinel group, through node-redis and ioredis.
import { randomUUID } from 'node:crypto';
import { RedisStore } from 'connect-redis';
import RedisStore7 from 'connect-redis7';
import { Cluster as IORedisCluster, Redis as IORedis } from 'ioredis';
import { createCluster, createSentinel } from 'redis';
import { redisIndex, TokenSession, type ExpressSessionStore, type RedisIndexClient } from '../../src';
import { describeWith, redisClusterNodes, redisSentinels, SENTINEL_MASTER_NAME } from '../helpers/real-servers';
import { hostAndPort, mastersOf } from '../helpers/redis-cluster';

type Data = { userId: string; n?: number };

interface SharedRedis {
  store: ExpressSessionStore;
  index: RedisIndexClient;
  prefix: string;
  close(): Promise<void> | void;
}


/** The suite, on a cluster (`spreadOverMasters`: owners checked to be on different masters) or on one master. */
function sharedRedisSuite(name: string, open: () => Promise<SharedRedis>, spreadOverMasters = true): void {
  describe(name, () => {
    let cluster: SharedRedis;
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

    test(`list, destroyAll and destroyById${spreadOverMasters ? ', for owners whose indexes are on different masters' : ''}`, async () => {
      const owners = Array.from({ length: 6 }, (_, i) => `owner-${i}-${randomUUID()}`);
      const masters = spreadOverMasters ? await mastersOf(redisClusterNodes[0]!, owners.map((owner) => `{${owner}}`)) : [];
      if (spreadOverMasters) expect(new Set(masters).size).toBeGreaterThanOrEqual(2);

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
  sharedRedisSuite('node-redis createCluster, connect-redis 9', async () => {
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

  sharedRedisSuite('ioredis Cluster, connect-redis 7', async () => {
    const cluster = new IORedisCluster(redisClusterNodes.map(hostAndPort));
    const prefix = `ts-cluster:${randomUUID()}:`;
    return {
      store: new RedisStore7({ client: cluster, prefix: `${prefix}sess:` }) as unknown as ExpressSessionStore,
      index: cluster as unknown as RedisIndexClient,
      prefix,
      close: () => cluster.disconnect(),
    };
  });
});

describeWith('redis-sentinel', 'on a Sentinel group (1 master, 1 replica, 3 sentinels)', () => {
  sharedRedisSuite('node-redis createSentinel, connect-redis 9', async () => {
    const sentinel = createSentinel({ name: SENTINEL_MASTER_NAME, sentinelRootNodes: redisSentinels.map(hostAndPort) });
    await sentinel.connect();
    const prefix = `ts-sentinel:${randomUUID()}:`;
    return {
      store: new RedisStore({ client: sentinel as never, prefix: `${prefix}sess:` }) as unknown as ExpressSessionStore,
      index: sentinel as unknown as RedisIndexClient,
      prefix,
      close: () => sentinel.destroy(),
    };
  }, false);

  sharedRedisSuite('ioredis with sentinels, connect-redis 7', async () => {
    const client = new IORedis({ sentinels: redisSentinels.map(hostAndPort), name: SENTINEL_MASTER_NAME });
    const prefix = `ts-sentinel:${randomUUID()}:`;
    return {
      store: new RedisStore7({ client, prefix: `${prefix}sess:` }) as unknown as ExpressSessionStore,
      index: client as unknown as RedisIndexClient,
      prefix,
      close: () => client.disconnect(),
    };
  }, false);
});
