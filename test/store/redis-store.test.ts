// redisStore on a real redis-server, Redis Cluster and Sentinel group, through node-redis and ioredis: the whole API, its atomic updates, native TTLs, and the script against the contract's JavaScript semantics.
import { randomUUID } from 'node:crypto';
import express from 'express';
import expressSession from 'express-session';
import request from 'supertest';
import type { SessionRecord } from '../../src/adapter';
import { redisIndex, TokenSession } from '../../src';
import { expressTokenSession } from '../../integrations/express';
import { redisStore, type RedisSessionStore } from '../../stores/redis';
import { describeWith } from '../helpers/real-servers';
import { REDIS_CLIENTS, type TestRedisClient } from '../helpers/redis-clients';
import { appliesChangesAsTheContractSays, change, keepsTheMetadata, recordIn, keepsTheSignInTime, runsTheWholeApi } from '../helpers/session-changes';
import { storeKeyOfToken } from '../helpers/store-keys';

// express-session reads a new cookie's originalMaxAge off the clock (expires - now): 60000, or 59999 when a millisecond ticked.
const aboutAMinute = { asymmetricMatch: (ms: unknown) => typeof ms === 'number' && ms > 59_900 && ms <= 60_000, toString: () => 'about 60000' };

type Data = Record<string, unknown>;

/** The raw commands a test needs to look at what the store left in Redis. */
function raw(client: TestRedisClient['client']) {
  const io = typeof (client as { defineCommand?: unknown }).defineCommand === 'function';
  const c = client as any;
  return {
    exists: async (key: string) => Number(await c.exists(key)) === 1,
    pttl: async (key: string) => Number(await (io ? c.pttl(key) : c.pTTL(key))),
    hGetAll: async (key: string) => (await (io ? c.hgetall(key) : c.hGetAll(key))) as Record<string, string>,
    set: (key: string, value: string) => c.set(key, value),
  };
}

for (const kind of REDIS_CLIENTS) describeWith(kind.server, `redisStore on ${kind.name}`, () => {
  let opened: TestRedisClient;
  let prefix: string;
  let store: RedisSessionStore;
  let sessions: TokenSession<Data>;
  const keyOf = (token: string) => prefix + storeKeyOfToken(token);

  beforeAll(async () => {
    opened = await kind.open();
  });
  afterAll(() => opened.close());
  beforeEach(() => {
    prefix = `ts-store:${randomUUID()}:`;
    store = redisStore({ client: opened.client, prefix });
    sessions = new TokenSession<Data>({ store, index: redisIndex(opened.client, { prefix: `ts-index:${randomUUID()}:` }), ownerKey: 'user', ttl: 600 });
  });

  test('the whole API', async () => {
    await runsTheWholeApi(sessions, async (token) => raw(opened.client).exists(keyOf(token)));
  });

  test('a new sign-in (authenticatedAt) is written with the move, and kept by every later change', async () => {
    await keepsTheSignInTime(store, sessions);
  });

  test('metadata: a change sets lastSeenAt and keeps who made the session, through later changes and a new key', async () => {
    await keepsTheMetadata(store, sessions);
  });

  test('each session key expires with its session: PTTL is the record\'s own expiry', async () => {
    const short = (await sessions.newWttl({ user: 'ana' }, 30)).sid;
    const long = (await sessions.new({ user: 'ana' })).sid;
    const ttl = async (sid: string) => raw(opened.client).pttl(keyOf(sid));
    expect(await ttl(short)).toBeGreaterThan(28_000);
    expect(await ttl(short)).toBeLessThanOrEqual(30_000);
    expect(await ttl(long)).toBeGreaterThan(598_000);
    await sessions.setWttl(long, { user: 'ana' }, 90);
    expect(await ttl(long)).toBeLessThanOrEqual(90_000);
    expect(await ttl(long)).toBeGreaterThan(88_000);
  });

  test('a request whose read of the owner is stale (another process moved the session to another owner meanwhile) leaves the index right', async () => {
    const index = redisIndex(opened.client, { prefix: `ts-index:${randomUUID()}:` });
    // Two engines on two store objects: two processes, as far as token-session can tell.
    const inRequests = new TokenSession<Data>({ store: redisStore({ client: opened.client, prefix }), index, ownerKey: 'user' });
    const elsewhere = new TokenSession<Data>({ store, index, ownerKey: 'user' });
    let moved: () => void = () => undefined;
    const app = express();
    app.use(expressTokenSession({ sessions: inRequests }));
    app.post('/note', async (req, res) => {
      await new Promise<void>((resolve) => (moved = resolve)); // the session is loaded, owner 'ana'
      (req.tokenSession.data as Data)['note'] = 'kept';
      res.json({});
    });
    const { sid } = await elsewhere.new({ user: 'ana' });
    const write = request(app).post('/note').set('x-session-token', sid).expect(200);
    const sent = write.then(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await elsewhere.set(sid, { user: 'bo' });
    moved();
    await sent;
    expect(await elsewhere.getNotTouch(sid)).toEqual({ user: 'bo', note: 'kept' });
    expect(await elsewhere.list('ana')).toEqual([]);
    expect((await elsewhere.list('bo')).map(({ data }) => data)).toEqual([{ user: 'bo', note: 'kept' }]);
  });

  test('updateSession: disjoint changes made at once all land; a removed key goes; the owner follows the data', async () => {
    const { sid } = await sessions.new({ user: 'ana', keep: 1, drop: 2 });
    const key = storeKeyOfToken(sid);
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.updateSession(change(key, { set: { [`k${i}`]: i } }))));
    await store.updateSession(change(key, { unset: ['drop'] }));
    const merged = await sessions.getNotTouch(sid);
    expect(merged).toEqual({ user: 'ana', keep: 1, ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])) });
    expect(recordIn(await store.updateSession(change(key, { set: { user: 42 }, owner: '42' })))?.owner).toBe('42');
    expect(recordIn(await store.updateSession(change(key, { set: { user: 'bé "x"' }, owner: 'bé "x"' })))?.owner).toBe('bé "x"');
    expect(recordIn(await store.updateSession(change(key, { unset: ['user'], owner: null })))?.owner).toBeUndefined();
    const replaced = recordIn(await store.updateSession(change(key, { set: { only: true }, replace: true })));
    expect(replaced?.data).toEqual({ only: true });
  });

  test('updateSession writes nothing where there is no live session: none, destroyed, expired, past absoluteTtl, a one-time code, another value', async () => {
    const client = raw(opened.client);
    expect(await store.updateSession(change('never-issued', { set: { a: 1 } }))).toBeNull();
    expect(await client.exists(`${prefix}never-issued`)).toBe(false);

    const destroyed = (await sessions.new({ user: 'ana' })).sid;
    await sessions.destroy(destroyed);
    expect(await store.updateSession(change(storeKeyOfToken(destroyed), { set: { a: 1 } }))).toBeNull();
    expect(await client.exists(keyOf(destroyed))).toBe(false);

    const expiring = (await sessions.newWttl({ user: 'ana' }, 0.2)).sid;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.updateSession(change(storeKeyOfToken(expiring), { set: { a: 1 } }))).toBeNull();
    expect(await client.exists(keyOf(expiring))).toBe(false);

    const old = (await sessions.new({ user: 'ana' })).sid;
    expect(await store.updateSession(change(storeKeyOfToken(old), { set: { a: 1 }, absoluteTtlMs: 1, now: Date.now() + 10 }))).toBeNull();
    expect(await client.exists(keyOf(old))).toBe(false);

    const code = await sessions.newOnce({ purpose: 'reset' }, 60);
    const before = await client.hGetAll(keyOf(code));
    expect(await store.updateSession(change(storeKeyOfToken(code), { set: { a: 1 } }))).toBeNull();
    expect(await client.hGetAll(keyOf(code))).toEqual(before);

    await new Promise<void>((resolve, reject) => store.set('express-session-id', { cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) }, user: 'ana' }, (err) => (err ? reject(err) : resolve())));
    expect(await store.updateSession(change('express-session-id', { set: { a: 1 } }))).toBeNull();
    expect(await store.get('express-session-id')).toMatchObject({ user: 'ana' });
  });

  test('the script applies a change exactly as the contract\'s JavaScript does (applySessionChange)', async () => {
    await appliesChangesAsTheContractSays(store, sessions);
  });

  if (kind.cluster) {
    test('all, length and clear, which would scan every node, fail with ERR_UNSUPPORTED', async () => {
      await expect(store.all()).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
      await expect(store.length()).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
      await expect(store.clear()).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
    });
  } else {
    test('all, length and clear see this prefix\'s sessions only', async () => {
      const a = (await sessions.new({ user: 'ana' })).sid;
      await sessions.new({ user: 'bo' });
      const neighbour = redisStore({ client: opened.client, prefix: `ts-other:${randomUUID()}:` });
      await new Promise<void>((resolve, reject) => neighbour.set('y', { cookie: { expires: new Date(Date.now() + 60_000) } }, (err) => (err ? reject(err) : resolve())));
      expect(await store.length()).toBe(2);
      const all = (await store.all()) as Record<string, SessionRecord>;
      expect(all[storeKeyOfToken(a)]).toMatchObject({ data: { user: 'ana' } });
      await store.clear();
      expect(await store.length()).toBe(0);
      expect(await sessions.get(a)).toBeNull();
    });
  }
});

for (const kind of REDIS_CLIENTS.filter(({ server }) => server !== 'redis-sentinel')) describeWith(kind.server, `express-session itself on redisStore, ${kind.name}`, () => {
  test('sign-in, reads, writes, touch, regenerate, destroy', async () => {
    const opened = await kind.open();
    const prefix = `ts-express-session:${randomUUID()}:`;
    const store = redisStore({ client: opened.client, prefix });
    const app = express();
    app.use(expressSession({ store, secret: 'a test secret', resave: false, saveUninitialized: false, cookie: { maxAge: 60_000 } }));
    app.post('/login', (req, res) => {
      Object.assign(req.session, { user: 'ana', cart: [] });
      res.json({ id: req.sessionID });
    });
    app.post('/add', (req, res) => {
      (req.session as unknown as { cart: string[] }).cart.push(String(req.query['item']));
      res.json({});
    });
    app.get('/me', (req, res) => res.json({ id: req.sessionID, ...(req.session as unknown as object) }));
    app.post('/regenerate', (req, res, next) => req.session.regenerate((err) => {
      if (err) return next(err);
      Object.assign(req.session, { user: 'ana again' });
      res.json({ id: req.sessionID });
    }));
    app.post('/logout', (req, res, next) => req.session.destroy((err) => (err ? next(err) : res.json({}))));
    const agent = request.agent(app);
    const client = raw(opened.client);
    try {
      const { id } = (await agent.post('/login').expect(200)).body as { id: string };
      await agent.post('/add?item=tea').expect(200);
      const me = (await agent.get('/me').expect(200)).body as { user: string; cart: string[]; cookie: { originalMaxAge: number } };
      expect(me).toMatchObject({ id, user: 'ana', cart: ['tea'], cookie: { originalMaxAge: aboutAMinute } });
      // What express-session handed the store is what the store hands back.
      const stored = (await store.get(id)) as { user: string; cart: string[]; cookie: { expires: string } };
      expect(stored).toMatchObject({ user: 'ana', cart: ['tea'], cookie: { originalMaxAge: aboutAMinute, httpOnly: true, path: '/' } });
      expect(Date.parse(stored.cookie.expires)).toBeGreaterThan(Date.now() + 55_000);
      expect(await client.pttl(prefix + id)).toBeGreaterThan(55_000);
      expect(await client.pttl(prefix + id)).toBeLessThanOrEqual(60_000);

      const moved = ((await agent.post('/regenerate').expect(200)).body as { id: string }).id;
      expect(moved).not.toBe(id);
      expect(await client.exists(prefix + id)).toBe(false);
      expect((await agent.get('/me').expect(200)).body).toMatchObject({ id: moved, user: 'ana again' });
      await agent.post('/logout').expect(200);
      expect(await client.exists(prefix + moved)).toBe(false);
      expect((await agent.get('/me').expect(200)).body).not.toHaveProperty('user');
    } finally {
      opened.close();
    }
  });
});
