// Starts the shared redis-server and PostgreSQL for the whole jest run.
import { startPostgres, startRedis, type TestServer } from './servers';

/**
 * Starts one redis-server and one PostgreSQL for the whole run, on loopback ports, and hands
 * their URLs to the tests in TS_REDIS_URL / TS_PG_URL. Where a server cannot be started the
 * suites that need it are skipped, saying why; with REQUIRE_REAL_STORES=1 (set by .ci/run)
 * that is a failure instead.
 */
export default async function globalSetup(): Promise<void> {
  const required = process.env['REQUIRE_REAL_STORES'] === '1';
  const servers: TestServer[] = [];
  for (const [name, env, start] of [
    ['redis-server', 'TS_REDIS', startRedis],
    ['PostgreSQL', 'TS_PG', startPostgres],
  ] as const) {
    try {
      const server = await start();
      servers.push(server);
      process.env[`${env}_URL`] = server.url;
    } catch (err) {
      const reason = `${name} could not be started: ${(err as Error).message.split('\n')[0]}`;
      if (required) throw new Error(`REQUIRE_REAL_STORES=1 but ${reason}`);
      process.env[`${env}_SKIP`] = reason;
      console.warn(`\ntoken-session tests: skipping the suites that need ${name} (${reason})`);
    }
  }
  (globalThis as { testServers?: TestServer[] }).testServers = servers;
}
