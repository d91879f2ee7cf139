// The servers started by global-setup.ts, or why they are missing.
export const redisUrl = process.env['TS_REDIS_URL'];
export const postgresUrl = process.env['TS_PG_URL'];
export const mysqlUrl = process.env['TS_MYSQL_URL'];
/** host:port */
export const memcachedUrl = process.env['TS_MEMCACHED_URL'];
/** Every node of the Redis Cluster, as `redis://host:port`. */
export const redisClusterNodes = process.env['TS_REDIS_CLUSTER_URL']?.split(',') ?? [];
/** Every sentinel of the Sentinel group, as `redis://host:port`; they monitor SENTINEL_MASTER_NAME. */
export const redisSentinels = process.env['TS_REDIS_SENTINEL_URL']?.split(',') ?? [];
export { SENTINEL_MASTER_NAME } from './servers';

const ENV_OF = { redis: 'TS_REDIS', postgres: 'TS_PG', mysql: 'TS_MYSQL', memcached: 'TS_MEMCACHED', 'redis-cluster': 'TS_REDIS_CLUSTER', 'redis-sentinel': 'TS_REDIS_SENTINEL' } as const;
export type TestServerName = keyof typeof ENV_OF;

/** `describe`, or `describe.skip` with the reason in its name when the server is missing. */
export function describeWith(server: TestServerName, name: string, body: () => void): void {
  const env = ENV_OF[server];
  if (process.env[`${env}_URL`]) describe(name, body);
  else describe.skip(`${name} (skipped: ${process.env[`${env}_SKIP`] ?? 'no server'})`, body);
}
