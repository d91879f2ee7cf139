// token-session 1.x's signatures, its hackttl and its default TTL, on the engine (the README's code as written runs in seed-readme.test.ts).
import sessionMemoryStore = require('session-memory-store');
import memorystore = require('memorystore');
import { MemoryStore as ExpressMemoryStore } from 'express-session';
import express from 'express';
import request from 'supertest';
import { expressTokenSession } from '../../integrations/express';
import { TokenSession, type ExpressSessionStore } from '../../src';
import { countCalls, fakeStore } from '../helpers/fake-stores';

type Sessions = TokenSession<Record<string, unknown>>;
type AnyCall = (...args: unknown[]) => unknown;

/** Calls `method` the 1.x way, with a trailing callback, and answers what it called back, checking it did so once. */
function calledBack(sessions: Sessions, method: string, ...args: unknown[]): Promise<{ err: any; result: unknown }> {
  return new Promise((resolve, reject) => {
    let calls = 0;
    const returned = ((sessions as unknown as Record<string, AnyCall>)[method]!).call(sessions, ...args, (err: unknown, result: unknown) => {
      calls += 1;
      setTimeout(() => (calls === 1 ? resolve({ err, result }) : reject(new Error(`${method} called back ${calls} times`))), 10);
    });
    if (returned !== undefined) reject(new Error(`${method} returned ${String(returned)} when given a callback`));
  });
}

const recordOf = (store: ExpressSessionStore, sid: string, sessions: Sessions): Promise<any> =>
  new Promise((resolve, reject) => store.get(sessions.records.keyOf(sid), (err: unknown, value: unknown) => (err ? reject(err) : resolve(value))));

describe("1.x's signatures", () => {
  let unhandled: unknown[];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  test('regenerate(sid, data, cb) moves the session and gives it that data; regenerate(sid, cb) keeps it', async () => {
    const sessions: Sessions = new TokenSession();
    const { sid } = await sessions.new({ step: 1 });
    const withData = await calledBack(sessions, 'regenerate', sid, { step: 2 });
    expect(withData.err).toBeNull();
    expect(await sessions.get(sid)).toBeNull();
    expect(await sessions.get(withData.result as string)).toEqual({ step: 2 });
    const same = await calledBack(sessions, 'regenerate', withData.result);
    expect(await sessions.get(same.result as string)).toEqual({ step: 2 });
  });

  test('touch(sid, data, cb) restarts the TTL and leaves the stored data as it is', async () => {
    const sessions: Sessions = new TokenSession({ ttl: 60 });
    const { sid } = await sessions.new({ kept: true });
    const before = (await recordOf(sessions.store, sid, sessions)).cookie.expires.getTime();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await calledBack(sessions, 'touch', sid, { ignored: true })).toEqual({ err: null, result: true });
    expect((await recordOf(sessions.store, sid, sessions)).cookie.expires.getTime()).toBeGreaterThan(before);
    expect(await sessions.get(sid)).toEqual({ kept: true });
    expect(await sessions.touch(sid, { ignored: true })).toBe(true);
  });

  test('setWttl(sid, data, cb) without a ttl is set; with one it is the session\'s own', async () => {
    const sessions: Sessions = new TokenSession({ ttl: 60 });
    const { sid } = await sessions.newWttl({ n: 1 }, 300);
    expect((await calledBack(sessions, 'setWttl', sid, { n: 2 })).err).toBeNull();
    expect(await sessions.get(sid)).toEqual({ n: 2 });
    expect((await recordOf(sessions.store, sid, sessions)).cookie.originalMaxAge).toBe(300_000);
    await sessions.setWttl(sid, { n: 3 });
    await sessions.setWttl(sid, { n: 4 }, 30);
    expect((await recordOf(sessions.store, sid, sessions)).cookie.originalMaxAge).toBe(30_000);
    expect((await calledBack(sessions, 'setWttl', sid, { n: 5 }, 'soon')).err).toMatchObject({ code: 'ERR_INVALID_TTL' });
  });

  test('getNtouch and getAndTouch are one method; new() answers { sid, sessionId, data }', async () => {
    const sessions: Sessions = new TokenSession();
    expect(sessions.getNtouch).toBe(sessions.getAndTouch);
    const created = await calledBack(sessions, 'new', { name: 'jhon', count: 0 });
    const { sid, sessionId, data } = created.result as { sid: string; sessionId: string; data: unknown };
    expect(sessionId).toBe(sid);
    expect(data).toEqual({ name: 'jhon', count: 0 });
    expect(await calledBack(sessions, 'getNtouch', sid)).toEqual({ err: null, result: { name: 'jhon', count: 0 } });
  });

  test.each([
    ['destroy(cb)', 'destroy'],
    ['regenerate(cb)', 'regenerate'],
    ['get(cb)', 'get'],
    ['touch(cb)', 'touch'],
  ])('%s with no sid gets ERR_INVALID_TOKEN in the callback, once, and no unhandled rejection', async (_form, method) => {
    const store = fakeStore('async callback');
    const counts = countCalls(store);
    const sessions: Sessions = new TokenSession({ store });
    const { err } = await calledBack(sessions, method);
    expect(err).toMatchObject({ code: 'ERR_INVALID_TOKEN' });
    expect(counts.get + counts.set + counts.destroy).toBe(0);
  });

  test('get() given the object new() resolves to says to pass .sid', async () => {
    const sessions: Sessions = new TokenSession();
    const created = await sessions.new({ a: 1 });
    await expect(sessions.get(created as never)).rejects.toThrow(/new\(\) resolves to: pass its \.sid/);
    expect((await calledBack(sessions, 'destroy', created)).err.message).toMatch(/pass its \.sid/);
  });
});

describe("1.x's hackttl, and a hackttl that returns no record", () => {
  test('a hackttl that returns something other than a record fails the write with ERR_OPTIONS and writes nothing', async () => {
    for (const bad of [undefined, 'record', { cookie: {} }, []] as unknown[]) {
      const store = fakeStore('promise');
      const counts = countCalls(store);
      // A hackttl of today (it takes the record) that forgot to return it, or returned the wrong thing.
      const sessions: Sessions = new TokenSession({ store, hackttl: (record) => (record.cookie ? bad : record) as never });
      await expect(sessions.new({ a: 1 })).rejects.toMatchObject({ code: 'ERR_OPTIONS', message: expect.stringMatching(/hackttl.*nothing was written/) });
      expect(counts.set).toBe(0);
      expect(store.map.size).toBe(0);
    }
  });

  test('the same through a request: 500 with ERR_OPTIONS, no token issued, nothing written', async () => {
    const store = fakeStore('promise');
    const app = express();
    app.use(expressTokenSession({ store, hackttl: (record) => ({ ...record, cookie: { ...record.cookie } }) as never }));
    app.post('/login', (req, res) => res.json({ token: req.tokenSession.create({ a: 1 }) }));
    app.use((err: { code?: string }, _req: unknown, res: express.Response, _next: unknown) => res.status(500).json({ code: err.code }));
    const res = await request(app).post('/login');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: 'ERR_OPTIONS' });
    expect(res.headers['x-session-token']).toBeUndefined();
    expect(store.map.size).toBe(0);
  });

  test("a 1.x hackttl, (obj, ttl) setting obj.store's one TTL, is run the 1.x way around every write", async () => {
    const store = new (sessionMemoryStore(TokenSession))({ expires: 60 });
    const cache = store['store'] as { options: { stdTTL: number }; getTtl(key: string): number };
    // 1.x's own default, for session-memory-store.
    const seen: Array<number | undefined> = [];
    const hackttl = (obj: { store: any }, ttl?: number) => {
      seen.push(ttl);
      if (ttl) obj.store.store.options.stdTTL = ttl;
      return obj.store.store.options.stdTTL;
    };
    const sessions: Sessions = new TokenSession({ store, hackttl: hackttl as never });
    const { sid } = await sessions.newWttl({ a: 1 }, 600);
    // node-cache took the session's TTL for the key, and got its own back.
    expect((cache.getTtl(sessions.records.keyOf(sid)) - Date.now()) / 1000).toBeGreaterThan(598);
    expect(cache.options.stdTTL).toBe(60);
    expect(seen).toEqual([undefined, undefined, 600, 60]);
    expect(await sessions.get(sid)).toEqual({ a: 1 });
  });
});

describe('without a ttl option, the TTL the store was configured with, as in 1.x', () => {
  const ttlOfNew = async (sessions: Sessions) => (await recordOf(sessions.store, (await sessions.new({})).sid, sessions)).cookie.originalMaxAge / 1000;

  test('session-memory-store { expires: 120 }', async () => {
    const store = new (sessionMemoryStore(TokenSession))({ expires: 120 });
    expect(await ttlOfNew(new TokenSession({ store }))).toBe(120);
    store['store'].close();
  });

  test('memorystore { ttl: 90000 } (ms), and per-session TTLs still win over it', async () => {
    const store = new (memorystore(TokenSession as never))({ ttl: 90_000, checkPeriod: 60_000 }) as ExpressSessionStore;
    const sessions: Sessions = new TokenSession({ store });
    expect(await ttlOfNew(sessions)).toBe(90);
    const { sid } = await sessions.newWttl({}, 600);
    const entry = (store['store'].dump() as Array<{ k: string; e: number }>).find(({ k }) => k === sessions.records.keyOf(sid))!;
    expect((entry.e - Date.now()) / 1000).toBeGreaterThan(598);
    expect(store['options'].ttl).toBe(90_000);
    store['stopInterval']();
  });

  test('a store that exposes none, and no store at all: 1800 s', async () => {
    expect(await ttlOfNew(new TokenSession({ store: new ExpressMemoryStore() as unknown as ExpressSessionStore }))).toBe(1800);
    expect(await ttlOfNew(new TokenSession())).toBe(1800);
    expect(await ttlOfNew(new TokenSession({ ttl: 45 }))).toBe(45);
  });
});

describe('sessions that token-session 1.x itself wrote in a shared store', () => {
  // The 1.x package, from npm.
  const TokenSession1 = require('token-session1') as new (options: object) => Record<string, AnyCall>;
  const write1x = (store: ExpressSessionStore, data: object): Promise<string> => {
    const old = new TokenSession1({ store });
    return new Promise((resolve, reject) => old['new']!(data, (err: unknown, result: { sessionId: string }) => (err ? reject(err) : resolve(result.sessionId))));
  };

  test('are signed out after the upgrade, unless adopt1xSessions reads them, moving each to its key of today on first use', async () => {
    const store = new (sessionMemoryStore(TokenSession))({ expires: 600 });
    const first = await write1x(store, { name: 'jhon', count: 1 });
    const second = await write1x(store, { name: 'ana' });
    const third = await write1x(store, { name: 'eve' });

    expect(await new TokenSession({ store }).get(first)).toBeNull();

    const sessions: Sessions = new TokenSession({ store, adopt1xSessions: true });
    expect(await sessions.get(first)).toEqual({ name: 'jhon', count: 1 });
    // Moved: under its hashed key as a record of today, and no longer under the token itself.
    expect(await recordOf(store, first, sessions)).toMatchObject({ data: { name: 'jhon', count: 1 }, cookie: { originalMaxAge: 600_000 } });
    expect(await new Promise((resolve) => store.get(first, (_err: unknown, value: unknown) => resolve(value ?? null)))).toBeNull();
    await sessions.set(first, { name: 'jhon', count: 2 });
    expect(await new TokenSession({ store }).get(first)).toEqual({ name: 'jhon', count: 2 });

    // Every way in adopts: a request's read, a programmatic write, a destroy.
    expect((await sessions.records.findShaped(second))?.record.data).toEqual({ name: 'ana' });
    expect(await sessions.destroy(third)).toBe(true);
    expect(await sessions.get(third)).toBeNull();
    store['store'].close();
  });

  test("an express-session session in the same store is not taken for a 1.x one", async () => {
    const store = new (sessionMemoryStore(TokenSession))();
    const expressSession = { cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' }, user: 'ana' };
    await new Promise((resolve) => store.set('an-express-session-id', expressSession, resolve));
    const sessions: Sessions = new TokenSession({ store, adopt1xSessions: true });
    expect(await sessions.get('an-express-session-id')).toBeNull();
    expect(await new Promise((resolve) => store.get('an-express-session-id', (_err: unknown, value: unknown) => resolve(value)))).toEqual(expressSession);
    store['store'].close();
  });
});
