/** The servers started by global-setup.ts, or why they are missing. */
export const redisUrl = process.env['TS_REDIS_URL'];
export const postgresUrl = process.env['TS_PG_URL'];

/** `describe`, or `describe.skip` with the reason in its name when the server is missing. */
export function describeWith(server: 'redis' | 'postgres', name: string, body: () => void): void {
  const url = server === 'redis' ? redisUrl : postgresUrl;
  const reason = process.env[server === 'redis' ? 'TS_REDIS_SKIP' : 'TS_PG_SKIP'];
  if (url) describe(name, body);
  else describe.skip(`${name} (skipped: ${reason ?? 'no server'})`, body);
}
