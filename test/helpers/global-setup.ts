// Starts the shared redis-server, PostgreSQL, MariaDB, memcached, Redis Cluster and Sentinel group for the whole jest run.
import { startMariaDb, startMemcached, startPostgres, startRedis, startRedisCluster, startRedisSentinels, type TestServer } from './servers';

/**
 * Starts one of each server for the whole run, on loopback ports, and hands their URLs to the
 * tests in TS_REDIS_URL, TS_PG_URL, TS_MYSQL_URL, TS_MEMCACHED_URL TS_REDIS_CLUSTER_URL and TS_REDIS_SENTINEL_URL (the cluster's nodes, the sentinels: comma-separated). Where a server cannot be started the
 * suites that need it are skipped, saying why; with REQUIRE_REAL_STORES=1 (set by .ci/run)
 * that is a failure instead.
 */
export default async function globalSetup(): Promise<void> {
  const required = process.env['REQUIRE_REAL_STORES'] === '1';
  const servers: TestServer[] = [];
  const starting = ([
    ['redis-server', 'TS_REDIS', startRedis],
    ['PostgreSQL', 'TS_PG', startPostgres],
    ['MariaDB', 'TS_MYSQL', startMariaDb],
    ['memcached', 'TS_MEMCACHED', startMemcached],
    ['a Redis Cluster', 'TS_REDIS_CLUSTER', startRedisCluster],
    ['a Redis Sentinel group', 'TS_REDIS_SENTINEL', startRedisSentinels],
  ] as const).map(([name, env, start]) => ({ name, env, started: start() }));
  // Started side by side, then awaited in turn.
  const missing: string[] = [];
  for (const { name, env, started } of starting) {
    try {
      const server = await started;
      servers.push(server);
      process.env[`${env}_URL`] = server.url;
    } catch (err) {
      const reason = `${name} could not be started: ${(err as Error).message.split('\n')[0]}`;
      missing.push(reason);
      process.env[`${env}_SKIP`] = reason;
      if (!required) console.warn(`\ntoken-session tests: skipping the suites that need ${name} (${reason})`);
    }
  }
  if (required && missing.length > 0) {
    await Promise.all(servers.map((server) => server.stop()));
    throw new Error(`REQUIRE_REAL_STORES=1 but ${missing.join('; ')}`);
  }
  (globalThis as { testServers?: TestServer[] }).testServers = servers;
}
