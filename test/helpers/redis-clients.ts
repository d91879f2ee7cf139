// node-redis and ioredis clients on the test redis-server, Redis Cluster and Sentinel group, made as users make them.
import { RedisStore } from 'connect-redis';
import RedisStore7 from 'connect-redis7';
import { Cluster as IORedisCluster, Redis as IORedis } from 'ioredis';
import { createClient, createCluster, createSentinel } from 'redis';
import type { ExpressSessionStore } from '../../src';
import type { RedisClient } from '../../stores/redis';
import { redisClusterNodes, redisSentinels, redisUrl, SENTINEL_MASTER_NAME, type TestServerName } from './real-servers';
import { hostAndPort } from './redis-cluster';

export interface TestRedisClient {
  client: RedisClient;
  close(): void;
}

export interface RedisClientKind {
  name: string;
  server: TestServerName;
  /** Whether keys of one session may be on different nodes. */
  cluster: boolean;
  open(): Promise<TestRedisClient>;
}

const nodeRedis = (client: { connect(): Promise<unknown>; destroy(): void }) => async (): Promise<TestRedisClient> => {
  await client.connect();
  return { client: client as unknown as RedisClient, close: () => client.destroy() };
};

const ioRedis = async (client: IORedis | IORedisCluster): Promise<TestRedisClient> => {
  await new Promise((resolve, reject) => client.once('ready', resolve).once('error', reject));
  return { client, close: () => client.disconnect() };
};

/** Every client on every topology. `open` makes a new client each time. */
export const REDIS_CLIENTS: RedisClientKind[] = [
  { name: 'node-redis createClient', server: 'redis', cluster: false, open: () => nodeRedis(createClient({ url: redisUrl! }))() },
  { name: 'ioredis Redis', server: 'redis', cluster: false, open: () => ioRedis(new IORedis(redisUrl!)) },
  { name: 'node-redis createCluster', server: 'redis-cluster', cluster: true, open: () => nodeRedis(createCluster({ rootNodes: redisClusterNodes.map((url) => ({ url })) }))() },
  { name: 'ioredis Cluster', server: 'redis-cluster', cluster: true, open: () => ioRedis(new IORedisCluster(redisClusterNodes.map(hostAndPort))) },
  {
    name: 'node-redis createSentinel', server: 'redis-sentinel', cluster: false,
    open: () => nodeRedis(createSentinel({ name: SENTINEL_MASTER_NAME, sentinelRootNodes: redisSentinels.map(hostAndPort) }))(),
  },
  { name: 'ioredis with sentinels', server: 'redis-sentinel', cluster: false, open: () => ioRedis(new IORedis({ sentinels: redisSentinels.map(hostAndPort), name: SENTINEL_MASTER_NAME })) },
];

/** connect-redis on this client, as its users make it: connect-redis 9 on node-redis, 7 on ioredis (9 takes node-redis only). */
export function connectRedisOn(client: RedisClient, prefix: string): ExpressSessionStore {
  const io = typeof (client as { defineCommand?: unknown }).defineCommand === 'function';
  return (io ? new RedisStore7({ client: client as never, prefix }) : new RedisStore({ client: client as never, prefix })) as unknown as ExpressSessionStore;
}
