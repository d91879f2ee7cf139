// Owners (list, destroyAll, destroyById) and one-time tokens, in process and on Redis.
import { randomUUID } from 'node:crypto';
import { RedisStore } from 'connect-redis';
import RedisStore7 from 'connect-redis7';
import { Redis as IORedis } from 'ioredis';
import { createClient, type RedisClientType } from 'redis';
import { memoryIndex, redisIndex, TokenSession, type ExpressSessionStore, type SessionIndex } from '../../src';
import { redisStore } from '../../stores/redis';
import { fakeStore } from '../helpers/fake-stores';
import { describeWith, redisUrl } from '../helpers/real-servers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Data = Record<string, unknown>;

interface Setup {
  store: ExpressSessionStore;
  index: SessionIndex;
  close(): Promise<void>;
}

/** The same behaviour, with the default in-process index and with redisIndex on a real redis-server. */
function ownerAndOnceSuite(name: string, open: () => Promise<Setup>): void {
  describe(name, () => {
    let setup: Setup;
    let sessions: TokenSession<Data>;

    beforeEach(async () => {
      setup = await open();
      sessions = new TokenSession<Data>({ store: setup.store, index: setup.index, ownerKey: 'userId', touchAfter: 0 });
    });
    afterEach(() => setup.close());

    test('list shows an owner\'s live sessions with public ids that are not tokens', async () => {
      const phone = await sessions.new({ userId: 'u1', device: 'phone' });
      const laptop = await sessions.new({ userId: 'u1', device: 'laptop' });
      await sessions.new({ userId: 'u2', device: 'tablet' });

      const listed = await sessions.list('u1');
      expect(listed.map((s) => s.data['device']).sort()).toEqual(['laptop', 'phone']);
      for (const info of listed) {
        expect(info.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect([phone.sid, laptop.sid]).not.toContain(info.id);
        expect(info.createdAt).toBeLessThanOrEqual(Date.now());
        expect(info.expiresAt).toBeGreaterThan(Date.now());
        // The public id cannot be used as a token.
        expect(await sessions.get(info.id)).toBeNull();
      }
      expect(await sessions.list('nobody')).toEqual([]);
    });

    test('destroyAll ends every session of the owner and no other', async () => {
      const a = await sessions.new({ userId: 'u1' });
      const b = await sessions.newWttl({ userId: 'u1' }, 60);
      const other = await sessions.new({ userId: 'u2' });
      expect(await sessions.destroyAll('u1')).toBe(2);
      expect(await sessions.get(a.sid)).toBeNull();
      expect(await sessions.get(b.sid)).toBeNull();
      expect(await sessions.get(other.sid)).toEqual({ userId: 'u2' });
      expect(await sessions.list('u1')).toEqual([]);
      expect(await sessions.destroyAll('u1')).toBe(0);
    });

    test('destroyById ends one session', async () => {
      const keep = await sessions.new({ userId: 'u1', device: 'keep' });
      await sessions.new({ userId: 'u1', device: 'drop' });
      const drop = (await sessions.list('u1')).find((s) => s.data['device'] === 'drop')!;
      expect(await sessions.destroyById(drop.id)).toBe(true);
      expect(await sessions.destroyById(drop.id)).toBe(false);
      expect((await sessions.list('u1')).map((s) => s.data['device'])).toEqual(['keep']);
      expect(await sessions.get(keep.sid)).toEqual({ userId: 'u1', device: 'keep' });
    });

    test('regenerate, a change of owner and destroy keep the index right', async () => {
      const { sid } = await sessions.new({ userId: 'u1' });
      const moved = await sessions.regenerate(sid);
      expect((await sessions.list('u1')).length).toBe(1);
      await sessions.set(moved, { userId: 'u3' });
      expect(await sessions.list('u1')).toEqual([]);
      expect((await sessions.list('u3')).length).toBe(1);
      await sessions.destroy(moved);
      expect(await sessions.list('u3')).toEqual([]);
    });

    test('expired sessions drop out of the index', async () => {
      await sessions.newWttl({ userId: 'u1' }, 0.3);
      await sessions.new({ userId: 'u1' });
      await sleep(400);
      expect((await sessions.list('u1')).length).toBe(1);
      expect(await sessions.destroyAll('u1')).toBe(1);
    });

    test('a one-time token gives its data exactly once', async () => {
      const token = await sessions.newOnce({ purpose: 'reset', userId: 'u1' }, 60);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await sessions.consume(token)).toEqual({ purpose: 'reset', userId: 'u1' });
      expect(await sessions.consume(token)).toBeNull();
      expect(await sessions.consume('never-issued')).toBeNull();
    });

    test('50 concurrent consumers: exactly one gets the data', async () => {
      const token = await sessions.newOnce({ purpose: 'verify' }, 60);
      const results = await Promise.all(Array.from({ length: 50 }, () => sessions.consume(token)));
      expect(results.filter((r) => r !== null)).toEqual([{ purpose: 'verify' }]);
    });

    test('a one-time token is not a session token, and a session token cannot be consumed', async () => {
      const once = await sessions.newOnce({ userId: 'u1' }, 60);
      expect(await sessions.get(once)).toBeNull();
      await expect(sessions.set(once, {})).rejects.toMatchObject({ code: 'ERR_SESSION_NOT_FOUND' });
      const { sid } = await sessions.new({ userId: 'u1' });
      expect(await sessions.consume(sid)).toBeNull();
      expect(await sessions.get(sid)).toEqual({ userId: 'u1' });
      expect(await sessions.consume(once)).toEqual({ userId: 'u1' });
    });

    test('a one-time token expires', async () => {
      const token = await sessions.newOnce({ n: 1 }, 0.3);
      await sleep(400);
      expect(await sessions.consume(token)).toBeNull();
    });

    test('destroyAll(owner, { except }) ends every other session of the owner ("log out my other devices") and answers how many it ended', async () => {
      const phone = await sessions.new({ userId: 'u1', device: 'phone' });
      const laptop = await sessions.new({ userId: 'u1', device: 'laptop' });
      const tablet = await sessions.new({ userId: 'u1', device: 'tablet' });
      const elsewhere = await sessions.new({ userId: 'u2', device: 'phone' });
      const mine = (await sessions.list('u1')).find(({ data }) => data['device'] === 'phone')!;
      expect(await sessions.destroyAll('u1', { except: mine.id })).toBe(2);
      expect(await sessions.get(phone.sid)).toEqual({ userId: 'u1', device: 'phone' });
      for (const gone of [laptop, tablet]) expect(await sessions.get(gone.sid)).toBeNull();
      expect(await sessions.get(elsewhere.sid)).not.toBeNull();
      expect((await sessions.list('u1')).map(({ id }) => id)).toEqual([mine.id]);
      expect(await sessions.destroyAll('u1', { except: mine.id })).toBe(0);
      await expect(sessions.destroyAll('u1', { except: 5 } as never)).rejects.toMatchObject({ code: 'ERR_OPTIONS' });
      expect(await sessions.get(phone.sid)).not.toBeNull();
    });

    test('events: create, regenerate and destroy, each once the store has it, with the public id and the owner, never a token', async () => {
      const seen: Array<Record<string, unknown>> = [];
      for (const name of ['create', 'destroy', 'regenerate', 'expire'] as const) sessions.on(name, (event) => void seen.push({ name, ...event }));
      const { sid } = await sessions.new({ userId: 'u1' });
      const [made] = await sessions.list('u1');
      const moved = await sessions.regenerate(sid);
      const [after] = await sessions.list('u1');
      expect(await sessions.destroy(moved)).toBe(true);
      expect(await sessions.destroy(moved)).toBe(false); // nothing ended: no event
      await sessions.new({ userId: 'u2' });
      expect(seen.map(({ name }) => name)).toEqual(['create', 'regenerate', 'destroy', 'create']);
      expect(seen[0]).toMatchObject({ id: made!.id, owner: 'u1' });
      expect(seen[1]).toMatchObject({ id: after!.id, previousId: made!.id, owner: 'u1' });
      expect(seen[2]).toMatchObject({ id: after!.id, owner: 'u1' });
      expect(seen[3]).toMatchObject({ owner: 'u2' });
      for (const event of seen) {
        expect(Math.abs(Date.now() - (event['at'] as number))).toBeLessThan(5000);
        expect(JSON.stringify(event)).not.toContain(sid);
        expect(JSON.stringify(event)).not.toContain(moved);
      }
    });

    test('maxSessionsPerOwner: one more session of an owner ends its oldest before new() resolves; so does a session moved to that owner', async () => {
      const capped = new TokenSession<Data>({ store: setup.store, index: setup.index, ownerKey: 'userId', maxSessionsPerOwner: 2 });
      const ended: string[] = [];
      capped.on('destroy', ({ id }) => void ended.push(id));
      const first = await capped.new({ userId: 'u1', n: 1 });
      await sleep(5);
      const second = await capped.new({ userId: 'u1', n: 2 });
      await sleep(5);
      const firstId = (await capped.list('u1')).find(({ data }) => data['n'] === 1)!.id;
      const third = await capped.new({ userId: 'u1', n: 3 });
      expect(await capped.getNotTouch(first.sid)).toBeNull();
      expect(ended).toEqual([firstId]);
      for (const kept of [second, third]) expect(await capped.getNotTouch(kept.sid)).not.toBeNull();
      expect((await capped.list('u1')).map(({ data }) => data['n']).sort()).toEqual([2, 3]);
      // Another owner's sessions count for that owner only.
      const elsewhere = await capped.new({ userId: 'u2', n: 4 });
      expect(await capped.getNotTouch(second.sid)).not.toBeNull();
      // A session that becomes u1's is one more of u1's: the oldest, `second`, ends.
      await capped.set(elsewhere.sid, { userId: 'u1', n: 4 });
      expect(await capped.getNotTouch(second.sid)).toBeNull();
      expect((await capped.list('u1')).map(({ data }) => data['n']).sort()).toEqual([3, 4]);
    });

    test('metadata: list() carries lastSeenAt, which each write moves (programmatic sessions have no client)', async () => {
      const tracked = new TokenSession<Data>({ store: setup.store, index: setup.index, ownerKey: 'userId', metadata: true });
      const { sid } = await tracked.new({ userId: 'u1' });
      const [made] = await tracked.list('u1');
      expect(Math.abs(Date.now() - made!.lastSeenAt!)).toBeLessThan(5000);
      expect(made).not.toHaveProperty('userAgent');
      await sleep(10);
      await tracked.set(sid, { userId: 'u1', n: 1 });
      const [after] = await tracked.list('u1');
      expect(after!.lastSeenAt).toBeGreaterThan(made!.lastSeenAt!);
      expect((await sessions.list('u1'))[0]!.lastSeenAt).toBe(after!.lastSeenAt); // an engine without the option still shows what is stored
    });

    test('a listener that throws or rejects fails nothing, and the other listeners still run', async () => {
      const seen: string[] = [];
      sessions.on('create', () => {
        throw new Error('the audit log is down');
      });
      sessions.on('create', async () => {
        throw new Error('the audit log is down, later');
      });
      sessions.on('create', ({ id }) => void seen.push(id));
      const { sid } = await sessions.new({ userId: 'u1' });
      expect(await sessions.get(sid)).toEqual({ userId: 'u1' });
      expect(seen).toHaveLength(1);
    });
  });
}

ownerAndOnceSuite('with the in-process index', async () => ({
  store: fakeStore('async callback'),
  index: memoryIndex(),
  close: async () => undefined,
}));

describeWith('redis', 'with redisIndex on redis-server', () => {
  ownerAndOnceSuite('and connect-redis', async () => {
    const client = createClient({ url: redisUrl! }) as RedisClientType;
    await client.connect();
    const prefix = `ts-test:${randomUUID()}:`;
    return {
      store: new RedisStore({ client, prefix: `${prefix}sess:` }) as unknown as ExpressSessionStore,
      index: redisIndex(client, { prefix }),
      close: async () => {
        client.destroy();
      },
    };
  });
  ownerAndOnceSuite('and connect-redis 7, both on ioredis', async () => {
    const client = new IORedis(redisUrl!);
    const prefix = `ts-test:${randomUUID()}:`;
    return {
      store: new RedisStore7({ client, prefix: `${prefix}sess:` }) as unknown as ExpressSessionStore,
      index: redisIndex(client, { prefix }),
      close: async () => {
        client.disconnect();
      },
    };
  });

  // Its updates are atomic (updateSession): a regenerate is a change handed to the store, not a plan run here.
  ownerAndOnceSuite('and redisStore', async () => {
    const client = createClient({ url: redisUrl! }) as RedisClientType;
    await client.connect();
    const prefix = `ts-test:${randomUUID()}:`;
    return {
      store: redisStore({ client, prefix: `${prefix}sess:` }),
      index: redisIndex(client, { prefix }),
      close: async () => {
        client.destroy();
      },
    };
  });

  test('a prefix with a brace is refused: it would change the hash tag of every owner', () => {
    expect(() => redisIndex({} as never, { prefix: 'app{1}:' })).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS' }));
  });
});

test('expire: a session the engine finds dead on read, on a store that keeps it past its expiry', async () => {
  const sessions = new TokenSession<Data>({ store: fakeStore('async callback'), ownerKey: 'userId' });
  const expired: Array<Record<string, unknown>> = [];
  sessions.on('expire', (event) => void expired.push({ ...event }));
  const { sid } = await sessions.newWttl({ userId: 'u1' }, 0.05);
  await sleep(80);
  expect(await sessions.get(sid)).toBeNull();
  expect(expired).toEqual([{ id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), owner: 'u1', at: expect.any(Number) }]);
  expect(JSON.stringify(expired)).not.toContain(sid);
});

test('on() and off(): an unknown event or a listener that is not a function is refused; off() stops one', async () => {
  const sessions = new TokenSession<Data>();
  expect(() => sessions.on('created' as never, () => undefined)).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS' }));
  expect(() => sessions.on('create', 'log' as never)).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS' }));
  let calls = 0;
  const listener = () => void (calls += 1);
  sessions.on('create', listener);
  await sessions.new({});
  sessions.off('create', listener);
  await sessions.new({});
  expect(calls).toBe(1);
});

test('maxSessionsPerOwner needs ownerKey and a positive integer', () => {
  expect(() => new TokenSession({ maxSessionsPerOwner: 3 })).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS', message: expect.stringContaining('needs ownerKey') }));
  for (const bad of [0, 1.5, -1, '3']) expect(() => new TokenSession({ ownerKey: 'user', maxSessionsPerOwner: bad as number })).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS' }));
});

describe('bad use', () => {
  test('list, destroyAll and destroyById need ownerKey', async () => {
    const sessions = new TokenSession();
    await expect(sessions.list('u1')).rejects.toMatchObject({ code: 'ERR_OPTIONS' });
    await expect(sessions.destroyAll('u1')).rejects.toMatchObject({ code: 'ERR_OPTIONS' });
  });

  test('a bad owner, id or TTL is refused', async () => {
    const sessions = new TokenSession({ ownerKey: 'userId' });
    await expect(sessions.list({} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_DATA' });
    await expect(sessions.destroyById(42 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN' });
    await expect(sessions.newOnce({}, 0)).rejects.toMatchObject({ code: 'ERR_INVALID_TTL' });
  });

  test('consume of a missing or malformed code answers null, as for a code never issued: a link handler gets no error', async () => {
    const sessions = new TokenSession();
    const query = (url: string) => new URL(url, 'http://localhost').searchParams.get('code');
    for (const code of ['bad token', '', 'x'.repeat(300), query('/verify'), query('/verify?code=%00'), undefined, 42, ['a', 'b'], { toString: () => 'a' }]) {
      await expect(sessions.consume(code as never)).resolves.toBeNull();
    }
    const issued = await sessions.newOnce({ purpose: 'reset' }, 60);
    expect(await sessions.consume(issued)).toEqual({ purpose: 'reset' });
  });

  test('the index option is checked', () => {
    expect(() => new TokenSession({ index: {} as never })).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS' }));
  });

  test('callbacks work for the new methods too', async () => {
    const sessions = new TokenSession<Data>({ ownerKey: 'userId' });
    await sessions.new({ userId: 'u9' });
    const listed = await new Promise((resolve, reject) => sessions.list('u9', (err, r) => (err ? reject(err) : resolve(r))));
    expect(listed).toHaveLength(1);
    const token = await new Promise<string>((resolve, reject) =>
      sessions.newOnce({ a: 1 }, 10, (err, r) => (err ? reject(err) : resolve(r!))),
    );
    const consumed = await new Promise((resolve, reject) => sessions.consume(token, (err, r) => (err ? reject(err) : resolve(r))));
    expect(consumed).toEqual({ a: 1 });
  });
});
