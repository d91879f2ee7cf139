// A Redis Cluster master killed: the sessions on its shard fail with a store error while it is down, and come back once its replica has taken over, without restarting the app.
import { randomUUID } from 'node:crypto';
import { RedisStore } from 'connect-redis';
import RedisStore7 from 'connect-redis7';
import { Cluster as IORedisCluster } from 'ioredis';
import { TokenSession, type ExpressSessionStore } from '../../src';
import { describeWith } from '../helpers/real-servers';
import { hostAndPort, mastersOf } from '../helpers/redis-cluster';
import { startRedisCluster, type TestCluster } from '../helpers/servers';
import { storeKeyOfToken } from '../helpers/store-keys';

// node-redis 6.0.0, the first version whose cluster client reads the layout again after a
// master dies (5.12.1, the last 5.x, keeps sending to the dead master until it returns).
const nodeRedis6 = require('redis6') as typeof import('redis');

const CLIENTS: Array<{ name: string; open(cluster: TestCluster, prefix: string): Promise<{ store: ExpressSessionStore; close(): void }> }> = [
  {
    name: 'node-redis 6.0.0 createCluster, connect-redis 9',
    open: async (cluster, prefix) => {
      const client = nodeRedis6.createCluster({ rootNodes: cluster.nodes.map((url) => ({ url })), defaults: { socket: { reconnectStrategy: 100 } } });
      client.on('error', () => undefined);
      await client.connect();
      return { store: new RedisStore({ client: client as never, prefix }) as unknown as ExpressSessionStore, close: () => client.destroy() };
    },
  },
  {
    name: 'ioredis Cluster, connect-redis 7',
    open: async (cluster, prefix) => {
      const client = new IORedisCluster(cluster.nodes.map(hostAndPort));
      client.on('error', () => undefined);
      await new Promise((resolve) => client.once('ready', resolve));
      return { store: new RedisStore7({ client, prefix }) as unknown as ExpressSessionStore, close: () => client.disconnect() };
    },
  },
];

describeWith('redis-cluster', 'a Redis Cluster master killed', () => {
  test.each(CLIENTS)('$name: store errors while it is down, every session readable again once its replica has taken over', async ({ open }) => {
    // A cluster of its own: the one the other suites share stays whole.
    const cluster = await startRedisCluster();
    const prefix = `ts-failover:${randomUUID()}:`;
    const { store, close } = await open(cluster, prefix);
    try {
      const sessions = new TokenSession<{ n: number }>({ store, storeTimeout: 1000, ttl: 600 });
      const tokens: string[] = [];
      for (let n = 0; n < 30; n += 1) tokens.push((await sessions.new({ n })).sid);
      const masters = await mastersOf(cluster.nodes[0]!, tokens.map((sid) => prefix + storeKeyOfToken(sid)));
      const victim = masters[0]!;
      const onVictim = masters.map((master) => master === victim);

      await cluster.kill(victim);
      const killedAt = Date.now();
      const failures = new Set<string>();
      let recoveredAfter: number | undefined;
      while (Date.now() - killedAt < 20_000) {
        const reads = await Promise.all(tokens.map((sid) => sessions.getNotTouch(sid).then((data) => data, (err: { code?: string }) => err.code ?? 'no code')));
        for (const read of reads) if (typeof read === 'string') failures.add(read);
        // Never a wrong answer: a session is read whole, or the read fails with a store error.
        reads.forEach((read, n) => {
          if (typeof read !== 'string') expect(read).toEqual({ n });
        });
        if (reads.every((read) => typeof read !== 'string')) {
          recoveredAfter = Date.now() - killedAt;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(onVictim).toContain(true);
      expect([...failures].every((code) => code === 'ERR_STORE' || code === 'ERR_STORE_TIMEOUT')).toBe(true);
      expect(recoveredAfter).toBeDefined();
      // And writes work again too, on every shard.
      for (const [n, sid] of tokens.entries()) await sessions.set(sid, { n: n + 100 });
      expect(await sessions.getNotTouch(tokens[0]!)).toEqual({ n: 100 });
      console.log(`failover: recovered ${recoveredAfter} ms after the kill; errors meanwhile: ${[...failures].join(', ') || 'none'}`);
    } finally {
      close();
      await cluster.stop();
    }
  }, 60_000);
});
