// Sessions, owners and one-time tokens on a real 6-node Redis Cluster and a real Sentinel group, through node-redis and ioredis.
import { randomUUID } from 'node:crypto';
import { redisIndex, TokenSession, type ExpressSessionStore, type RedisIndexClient } from '../../src';
import { describeWith, redisClusterNodes } from '../helpers/real-servers';
import { connectRedisOn, REDIS_CLIENTS } from '../helpers/redis-clients';
import { mastersOf } from '../helpers/redis-cluster';

type Data = { userId: string; n?: number };

interface SharedRedis {
  store: ExpressSessionStore;
  index: RedisIndexClient;
  prefix: string;
  close(): Promise<void> | void;
}


/** The suite, on a cluster (`spreadOverMasters`: owners checked to be on different masters) or on one master. */
/** `count` owners whose indexes (hash tag `{owner}`) are spread over the test cluster's three masters: random names could all land on one. */
async function ownersOnEveryMaster(count: number): Promise<string[]> {
  const candidates = Array.from({ length: 10 * count }, (_, i) => `owner-${i}-${randomUUID()}`);
  const masters = await mastersOf(redisClusterNodes[0]!, candidates.map((owner) => `{${owner}}`));
  const byMaster = new Map<string, string[]>();
  candidates.forEach((owner, i) => byMaster.set(masters[i]!, [...(byMaster.get(masters[i]!) ?? []), owner]));
  const queues = [...byMaster.values()];
  return Array.from({ length: count }, (_, i) => queues[i % queues.length]!.shift()!);
}

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
      const owners = spreadOverMasters ? await ownersOnEveryMaster(6) : Array.from({ length: 6 }, (_, i) => `owner-${i}-${randomUUID()}`);
      if (spreadOverMasters) expect(new Set(await mastersOf(redisClusterNodes[0]!, owners.map((owner) => `{${owner}}`))).size).toBe(3);

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

// On the cluster and on Sentinel, through each client with its connect-redis.
for (const kind of REDIS_CLIENTS.filter(({ server }) => server !== 'redis')) {
  const library = kind.name.startsWith('ioredis') ? 'connect-redis 7' : 'connect-redis 9';
  describeWith(kind.server, kind.cluster ? 'on a 6-node Redis Cluster' : 'on a Sentinel group (1 master, 1 replica, 3 sentinels)', () => {
    sharedRedisSuite(`${kind.name}, ${library}`, async () => {
      const { client, close } = await kind.open();
      const prefix = `ts-${kind.server}:${randomUUID()}:`;
      return { store: connectRedisOn(client, `${prefix}sess:`), index: client, prefix, close };
    }, kind.cluster);
  });
}
