// connect-redis 3 to 6, made the 1.x way (`require('connect-redis')(TokenSession)`) with the clients each takes, on a real redis-server.
import { randomUUID } from 'node:crypto';
import { Redis as IORedis } from 'ioredis';
import { createClient } from 'redis';
import { TokenSession, type ExpressSessionStore } from '../../src';
import { describeWith, redisUrl } from '../helpers/real-servers';
import { storeKeyOfToken } from '../helpers/store-keys';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Factory = (session: unknown) => new (options: Record<string, unknown>) => ExpressSessionStore;
const connectRedis = {
  3: require('connect-redis3') as Factory,
  4: require('connect-redis4') as Factory,
  5: require('connect-redis5') as Factory,
  6: require('connect-redis6') as Factory,
};

/** A client of the kind a connect-redis major takes, and how to let it go. */
interface Era {
  name: string;
  /** The store's options besides `prefix` and `ttl`: its client, or where it makes its own. */
  client(): Promise<{ options: Record<string, unknown>; close(): Promise<void> | void }>;
  major: keyof typeof connectRedis;
}

const url = () => new URL(redisUrl!);

const redis3Client: Era['client'] = async () => {
  const client = (require('redis3') as { createClient(o: unknown): { quit(): void } }).createClient({ url: redisUrl });
  return { options: { client }, close: () => client.quit() };
};

const ioredisClient: Era['client'] = async () => {
  const client = new IORedis(redisUrl!);
  return { options: { client }, close: () => client.disconnect() };
};

const ERAS: Era[] = [
  {
    name: 'connect-redis 3, its own client (redis 2) from host and port',
    major: 3,
    client: async () => ({ options: { host: url().hostname, port: Number(url().port) }, close: () => undefined }),
  },
  {
    name: 'connect-redis 4, redis 3',
    major: 4,
    client: redis3Client,
  },
  {
    name: 'connect-redis 4, ioredis',
    major: 4,
    client: ioredisClient,
  },
  {
    name: 'connect-redis 5, redis 3',
    major: 5,
    client: redis3Client,
  },
  {
    name: 'connect-redis 5, ioredis',
    major: 5,
    client: ioredisClient,
  },
  {
    name: 'connect-redis 6, redis 4 in legacy mode',
    major: 6,
    client: async () => {
      const client = (require('redis4') as typeof import('redis')).createClient({ url: redisUrl, legacyMode: true } as never);
      await client.connect();
      return { options: { client }, close: () => client.disconnect() };
    },
  },
  {
    name: 'connect-redis 6, ioredis',
    major: 6,
    client: ioredisClient,
  },
];

describeWith('redis', 'connect-redis 3 to 6, made the 1.x way, on redis-server', () => {
  // A client of our own, to read each key's TTL as Redis has it.
  let observer: ReturnType<typeof createClient>;
  beforeAll(async () => {
    observer = createClient({ url: redisUrl! });
    await observer.connect();
  });
  afterAll(() => observer.destroy());

  describe.each(ERAS)('$name', (era) => {
    let close: () => Promise<void> | void;
    let makeStore: (ttl: number) => { store: ExpressSessionStore; keyTtl(token: string): Promise<number> };
    const stores: ExpressSessionStore[] = [];

    beforeAll(async () => {
      const client = await era.client();
      const RedisStore = connectRedis[era.major](TokenSession);
      makeStore = (ttl) => {
        const prefix = `ts-era:${randomUUID()}:`;
        const store = new RedisStore({ ...client.options, prefix, ttl });
        stores.push(store);
        return { store, keyTtl: async (token) => (await observer.pTTL(prefix + storeKeyOfToken(token))) / 1000 };
      };
      close = async () => {
        // connect-redis 3 made its own client: it is the store's.
        for (const store of stores) if (era.major === 3) (store['client'] as { quit(): void }).quit();
        await client.close();
      };
    });
    afterAll(() => close());

    test('the whole API', async () => {
      const sessions = new TokenSession({ store: makeStore(60).store });
      const { sid } = await sessions.new({ n: 1 });
      expect(await sessions.get(sid)).toEqual({ n: 1 });
      await sessions.set(sid, { n: 2 });
      expect(await sessions.getNotTouch(sid)).toEqual({ n: 2 });
      const moved = await sessions.regenerate(sid);
      expect(await sessions.get(sid)).toBeNull();
      expect(await sessions.destroy(moved)).toBe(true);
      expect(await sessions.get(moved)).toBeNull();
    });

    test("without a ttl option, sessions live as long as the store's own ttl says; newWttl gives the Redis key its own", async () => {
      const { store, keyTtl } = makeStore(60);
      const sessions = new TokenSession({ store });
      const plain = await sessions.new({});
      expect(await keyTtl(plain.sid)).toBeGreaterThan(58);
      expect(await keyTtl(plain.sid)).toBeLessThanOrEqual(60);
      const own = await sessions.newWttl({}, 600);
      expect(await keyTtl(own.sid)).toBeGreaterThan(598);
      expect(await keyTtl(own.sid)).toBeLessThanOrEqual(600);
      // And the store's own ttl is as it was configured.
      expect(store['ttl']).toBe(60);
    });

    test('an active session is kept alive by get, on a store with a 1 s ttl', async () => {
      const { store, keyTtl } = makeStore(1);
      const sessions = new TokenSession({ store });
      const { sid } = await sessions.new({ active: true });
      for (let i = 0; i < 4; i += 1) {
        await sleep(400);
        expect(await sessions.get(sid)).toEqual({ active: true });
      }
      expect(await keyTtl(sid)).toBeGreaterThan(0);
      await sleep(1100);
      expect(await sessions.get(sid)).toBeNull();
    });
  });

  test("a hackttl written for 1.x (its own default's code: obj.store.ttl) gives connect-redis 3 the session's TTL, and sets the store's back", async () => {
    const prefix = `ts-era:${randomUUID()}:`;
    const store = new (connectRedis[3](TokenSession))({ host: url().hostname, port: Number(url().port), prefix, ttl: 60 });
    try {
      const hackttl = (obj: { store: { ttl?: number } }, ttl?: number) => {
        if (obj.store.ttl) {
          if (ttl) obj.store.ttl = ttl;
          return obj.store.ttl;
        }
        return null;
      };
      const sessions = new TokenSession({ store, hackttl: hackttl as never });
      const { sid } = await sessions.newWttl({}, 600);
      expect((await observer.pTTL(prefix + storeKeyOfToken(sid))) / 1000).toBeGreaterThan(598);
      expect(store['ttl']).toBe(60);
      const plain = await sessions.new({});
      expect((await observer.pTTL(prefix + storeKeyOfToken(plain.sid))) / 1000).toBeLessThanOrEqual(60);
    } finally {
      (store['client'] as { quit(): void }).quit();
    }
  });
});
