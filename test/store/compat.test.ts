// The whole API, and one Express request, against every real third-party store of the matrix, checked in the store's own data.
import { randomBytes, randomUUID } from 'node:crypto';
import connectMemcached = require('connect-memcached');
import express from 'express';
import request from 'supertest';
import { expressTokenSession } from '../../integrations/express';
import { TokenSession } from '../../src';
import { COMPAT_STORES, type CompatStore } from '../helpers/compat-stores';
import { describeWith, memcachedUrl } from '../helpers/real-servers';
import { storeKeyOfToken } from '../helpers/store-keys';
import { runsTheWholeApi } from '../helpers/session-changes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const factory of COMPAT_STORES) {
  const describeStore = factory.needs ? (name: string, body: () => void) => describeWith(factory.needs!, name, body) : describe;

  describeStore(`store compatibility: ${factory.name} ${factory.version}`, () => {
    let backend: CompatStore;
    let sessions: TokenSession<Record<string, unknown>>;
    const storeTtl = (token: string) => backend.storeTtl(storeKeyOfToken(token));

    beforeAll(async () => {
      backend = await factory.open();
    });
    afterAll(() => backend.close());
    beforeEach(() => {
      sessions = new TokenSession({ store: backend.store, ttl: 600, touchAfter: 0 });
    });

    // The same walk through the API as token-session's own stores get (test/helpers/session-changes.ts).
    test('the whole API: reads, writes, TTLs, a new token, owners, one-time codes', async () => {
      const owned = new TokenSession<Record<string, unknown>>({ store: backend.store, ttl: 600, touchAfter: 0, ownerKey: 'user' });
      await runsTheWholeApi(owned, async (token) => (await storeTtl(token)) !== null);
    });

    test('set and touch on a token never issued change nothing in the store', async () => {
      await sessions.new({ n: 1 });
      const before = await backend.dump();
      await expect(sessions.set('never-issued', { admin: true })).rejects.toMatchObject({ code: 'ERR_SESSION_NOT_FOUND' });
      await expect(sessions.setWttl('never-issued', { admin: true }, 60)).rejects.toMatchObject({ code: 'ERR_SESSION_NOT_FOUND' });
      expect(await sessions.touch('never-issued')).toBe(false);
      expect(await backend.dump()).toEqual(before);
      expect(await storeTtl('never-issued')).toBeNull();
    });

    test('no issued token anywhere in the store, and every key at most 32 characters', async () => {
      const first = await sessions.new({ n: 1 });
      const second = await sessions.newWttl({ n: 2 }, 60);
      const moved = await sessions.regenerate(first.sid);
      await sessions.set(second.sid, { n: 3 });
      const code = await sessions.newOnce({ purpose: 'reset' }, 60);
      const entries = await backend.dump();
      expect(entries.map(([key]) => key)).toEqual(expect.arrayContaining([moved, second.sid].map(storeKeyOfToken)));
      for (const [key] of entries) expect(key.length).toBeLessThanOrEqual(32);
      const everything = JSON.stringify(entries);
      for (const token of [first.sid, second.sid, moved, code]) expect(everything).not.toContain(token);

      // The check above can fail: without hashing, the key is the token (a 32-character one here,
      // as express-session's: connect-session-sequelize's sid column refuses the default 43).
      const genid = () => randomBytes(24).toString('base64url');
      const unhashed = await new TokenSession({ store: backend.store, hashTokens: false, genid }).new({ n: 4 });
      expect(JSON.stringify(await backend.dump())).toContain(unhashed.sid);
    });

    test("per-session TTL in the store's own data: each session's own, moved by a touch, gone with destroy and regenerate", async () => {
      const short = await sessions.newWttl({}, 100);
      const long = await sessions.newWttl({}, 1000);
      // Stores keep whole seconds (rounded, truncated or rounded up): a second either way.
      expect(await storeTtl(short.sid)).toBeGreaterThan(98);
      expect(await storeTtl(short.sid)).toBeLessThanOrEqual(101);
      expect(await storeTtl(long.sid)).toBeGreaterThan(998);
      expect(await storeTtl(long.sid)).toBeLessThanOrEqual(1001);

      await sessions.setWttl(short.sid, {}, 50);
      expect(await storeTtl(short.sid)).toBeLessThanOrEqual(51);
      await sleep(2100);
      const before = (await storeTtl(short.sid))!;
      expect(before).toBeLessThan(49.5);
      await sessions.touch(short.sid);
      expect(await storeTtl(short.sid)).toBeGreaterThan(before + 1);

      const moved = await sessions.regenerate(long.sid);
      expect(await storeTtl(long.sid)).toBeNull();
      expect(await storeTtl(moved)).toBeGreaterThan(998);
      await sessions.destroy(moved);
      expect(await storeTtl(moved)).toBeNull();
    });

    test('a 1 s session ends while a longer one on the same store lives, and a 0.5 s one ends too', async () => {
      const half = await sessions.newWttl({ kind: 'half' }, 0.5);
      const short = await sessions.newWttl({ kind: 'short' }, 1);
      const long = await sessions.newWttl({ kind: 'long' }, 60);
      await sleep(1300);
      expect(await sessions.getNotTouch(half.sid)).toBeNull();
      expect(await sessions.getNotTouch(short.sid)).toBeNull();
      expect(await sessions.getNotTouch(long.sid)).toEqual({ kind: 'long' });
    });

    test('one Express request round trip: sign in, read, write, sign out', async () => {
      const app = express();
      app.use(expressTokenSession({ store: backend.store, ttl: 300 }));
      app.post('/login', (req, res) => {
        res.json({ token: req.tokenSession.create({ user: 'ana', count: 0 }) });
      });
      app.get('/me', (req, res) => {
        res.json(req.tokenSession.data);
      });
      app.post('/count', (req, res) => {
        res.json({ count: ((req.tokenSession.data as { count: number }).count += 1) });
      });
      app.post('/logout', (req, res) => {
        req.tokenSession.destroy();
        res.json({});
      });
      const { body } = await request(app).post('/login').expect(200);
      const auth = { 'x-session-token': body.token as string };
      await request(app).get('/me').set(auth).expect(200, { user: 'ana', count: 0 });
      await request(app).post('/count').set(auth).expect(200, { count: 1 });
      await request(app).post('/count').set(auth).expect(200, { count: 2 });
      await request(app).get('/me').set(auth).expect(200, { user: 'ana', count: 2 });
      expect(await storeTtl(body.token)).toBeGreaterThan(298);
      const [, stored] = (await backend.dump()).find(([key]) => key === storeKeyOfToken(body.token))!;
      // The record's JSON, itself quoted as JSON where the store keeps it in a text column.
      expect(stored).toMatch(/\\?"count\\?":2\b/);
      await request(app).post('/logout').set(auth).expect(200);
      await request(app).get('/me').set(auth).expect(200, {});
      expect(await storeTtl(body.token)).toBeNull();
    });
  });
}

describeWith('memcached', 'where the store falls short: memcached keeps whole seconds, and 0 means forever', () => {
  let backend: CompatStore;
  beforeAll(async () => {
    backend = await COMPAT_STORES.find((factory) => factory.needs === 'memcached')!.open();
  });
  afterAll(() => backend.close());

  test('a session of under a second is kept by memcached for good, and still never returned once dead', async () => {
    const sessions = new TokenSession({ store: backend.store });
    const { sid } = await sessions.newWttl({ kind: 'half' }, 0.5);
    // connect-memcached gives memcached maxAge / 1000 | 0 seconds: 0, which memcached reads as "never".
    expect(await backend.storeTtl(storeKeyOfToken(sid))).toBe(Infinity);
    await sleep(700);
    expect(await sessions.getNotTouch(sid)).toBeNull();
    // The engine dropped the dead record as it read it.
    await sleep(50);
    expect(await backend.storeTtl(storeKeyOfToken(sid))).toBeNull();
  });

  test("a session of over 30 days is gone at once, unless connect-memcached's own ttl caps what memcached is told", async () => {
    // memcached reads a lifetime over 30 days as a Unix time: 31 days after 1970, long past.
    const days31 = 31 * 86_400;
    const uncapped = new TokenSession({ store: backend.store, ttl: days31 });
    const lost = await uncapped.new({ kind: 'long' });
    expect(await backend.storeTtl(storeKeyOfToken(lost.sid))).toBeNull();
    expect(await uncapped.getNotTouch(lost.sid)).toBeNull();

    const MemcachedStore = connectMemcached(TokenSession);
    const capped = new MemcachedStore({ hosts: [memcachedUrl!], prefix: `ts-test-${randomUUID()}-`, ttl: 30 * 86_400 });
    try {
      const sessions = new TokenSession({ store: capped, ttl: days31 });
      const { sid } = await sessions.new({ kind: 'long' });
      expect(await sessions.getNotTouch(sid)).toEqual({ kind: 'long' });
    } finally {
      capped.client.end();
    }
  });
});
