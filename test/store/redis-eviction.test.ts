// A full Redis: with `noeviction` a write is refused (a store error, a 503) and nothing acknowledged is lost; with an evicting policy Redis itself drops sessions and index entries.
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { redisIndex, TokenSession, type ExpressSessionStore } from '../../src';
import { describeWith } from '../helpers/real-servers';
import { startRedis } from '../helpers/servers';

type Data = { user: string; padding: string };
const OWNER = 'ana';
/** Enough for a few hundred sessions of 2 kB, above what an empty redis-server uses. */
const MAXMEMORY = '3mb';

/** A redis-server of its own with that policy, and sessions on it, made until it is full. */
async function fill(policy: string) {
  const server = await startRedis(['--maxmemory', MAXMEMORY, '--maxmemory-policy', policy]);
  const client = createClient({ url: server.url });
  await client.connect();
  const sessions = new TokenSession<Data>({
    store: new RedisStore({ client, prefix: 'sess:' }) as unknown as ExpressSessionStore,
    index: redisIndex(client),
    ownerKey: 'user',
    ttl: 600,
  });
  const acknowledged: string[] = [];
  let refusal: unknown;
  for (let n = 0; n < 3000 && refusal === undefined; n += 1) {
    await sessions.new({ user: OWNER, padding: 'x'.repeat(2000) }).then(({ sid }) => acknowledged.push(sid), (err: unknown) => (refusal = err));
  }
  const evicted = Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))![1]);
  return { sessions, acknowledged, refusal, evicted, close: async () => { client.destroy(); await server.stop(); } };
}

describeWith('redis', 'a full Redis', () => {
  test('noeviction: the write that does not fit fails with ERR_STORE, and every acknowledged session is readable, listed and ended by destroyAll', async () => {
    const { sessions, acknowledged, refusal, evicted, close } = await fill('noeviction');
    try {
      expect(refusal).toMatchObject({ code: 'ERR_STORE' });
      expect(evicted).toBe(0);
      expect(acknowledged.length).toBeGreaterThan(100);
      for (const sid of acknowledged) expect(await sessions.getNotTouch(sid)).toMatchObject({ user: OWNER });
      expect((await sessions.list(OWNER)).length).toBe(acknowledged.length);
      expect(await sessions.destroyAll(OWNER)).toBe(acknowledged.length);
      for (const sid of acknowledged) expect(await sessions.getNotTouch(sid)).toBeNull();
    } finally {
      await close();
    }
  });

  // Every key token-session writes has a TTL: for them, volatile-* and allkeys-* are alike.
  test.each(['volatile-lru', 'volatile-ttl', 'allkeys-lru'])('%s: every write is acknowledged, then Redis drops sessions and index entries to make room, and destroyAll misses live sessions', async (policy) => {
    const { sessions, acknowledged, refusal, evicted, close } = await fill(policy);
    try {
      expect(refusal).toBeUndefined();
      expect(evicted).toBeGreaterThan(0);
      const alive = async () => (await Promise.all(acknowledged.map((sid) => sessions.getNotTouch(sid)))).filter(Boolean).length;
      // Sessions ended early (their users signed out)...
      const left = await alive();
      expect(left).toBeLessThan(acknowledged.length);
      // ...and, worse, index entries gone: "log out everywhere" leaves live sessions behind.
      const ended = await sessions.destroyAll(OWNER);
      const survivors = await alive();
      expect(survivors).toBeGreaterThan(0);
      console.log(`${policy}: ${acknowledged.length} sessions acknowledged, ${evicted} keys evicted, ${left} sessions left, destroyAll ended ${ended}, ${survivors} live sessions survived it`);
    } finally {
      await close();
    }
  });
});
