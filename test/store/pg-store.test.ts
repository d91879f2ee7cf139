// pgStore on a real PostgreSQL: the whole API on its own index, its atomic updates, the expire column, the statement against the contract's JavaScript semantics, and express-session itself on it.
import { randomUUID } from 'node:crypto';
import express from 'express';
import expressSession from 'express-session';
import { Pool } from 'pg';
import request from 'supertest';
import { TokenSession } from '../../src';
import { pgStore, type PgSessionStore } from '../../stores/pg';
import { describeWith, postgresUrl } from '../helpers/real-servers';
import { appliesChangesAsTheContractSays, change, keepsTheMetadata, recordIn, keepsTheSignInTime, runsTheWholeApi } from '../helpers/session-changes';
import { storeKeyOfToken } from '../helpers/store-keys';

// express-session reads a new cookie's originalMaxAge off the clock (expires - now): 60000, or 59999 when a millisecond ticked.
const aboutAMinute = { asymmetricMatch: (ms: unknown) => typeof ms === 'number' && ms > 59_900 && ms <= 60_000, toString: () => 'about 60000' };

type Data = Record<string, unknown>;

describeWith('postgres', 'pgStore on PostgreSQL', () => {
  let pool: Pool;
  let table: string;
  let store: PgSessionStore;
  let sessions: TokenSession<Data>;
  const row = async (token: string) => (await pool.query(`SELECT sess, expire, owner, public_id FROM ${table} WHERE sid = $1`, [storeKeyOfToken(token)])).rows[0];

  beforeAll(() => {
    pool = new Pool({ connectionString: postgresUrl });
  });
  afterAll(() => pool.end());
  beforeEach(() => {
    table = `ts_${randomUUID().replaceAll('-', '')}`;
    store = pgStore({ pool, table, createTable: true });
    sessions = new TokenSession<Data>({ store, ownerKey: 'user', ttl: 600 });
  });

  test('a new sign-in (authenticatedAt) is written with the move, and kept by every later change', async () => {
    await keepsTheSignInTime(store, sessions);
  });

  test('metadata: a change sets lastSeenAt and keeps who made the session, through later changes and a new key', async () => {
    await keepsTheMetadata(store, sessions);
  });

  test('the whole API, owners and one-time codes on the store\'s own index', async () => {
    await runsTheWholeApi(sessions, async (token) => (await row(token)) !== undefined);
  });

  test('the expire column is the record\'s own expiry, and moves with setWttl', async () => {
    const { sid } = await sessions.newWttl({ user: 'ana' }, 30);
    const expiry = async () => (await row(sid)).expire.getTime() as number;
    expect(await expiry()).toBe(Date.parse((await row(sid)).sess.cookie.expires));
    expect(await expiry() - Date.now()).toBeGreaterThan(28_000);
    expect(await expiry() - Date.now()).toBeLessThanOrEqual(30_000);
    await sessions.setWttl(sid, { user: 'ana' }, 90);
    expect(await expiry() - Date.now()).toBeGreaterThan(88_000);
    expect(await expiry()).toBe(Date.parse((await row(sid)).sess.cookie.expires));
  });

  test('updateSession: disjoint changes made at once all land; a removed key goes; the owner column follows the data', async () => {
    const { sid } = await sessions.new({ user: 'ana', keep: 1, drop: 2 });
    const key = storeKeyOfToken(sid);
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.updateSession(change(key, { set: { [`k${i}`]: i } }))));
    await store.updateSession(change(key, { unset: ['drop'] }));
    expect(await sessions.getNotTouch(sid)).toEqual({ user: 'ana', keep: 1, ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])) });
    expect(recordIn(await store.updateSession(change(key, { set: { user: 42 }, owner: '42' })))?.owner).toBe('42');
    expect((await row(sid)).owner).toBe('42');
    expect(recordIn(await store.updateSession(change(key, { set: { user: 'bé "x"' }, owner: 'bé "x"' })))?.owner).toBe('bé "x"');
    expect(recordIn(await store.updateSession(change(key, { unset: ['user'], owner: null })))?.owner).toBeUndefined();
    expect((await row(sid)).owner).toBeNull();
    expect(recordIn(await store.updateSession(change(key, { set: { only: true }, replace: true })))?.data).toEqual({ only: true });
  });

  test('updateSession writes nothing where there is no live session: none, destroyed, expired, past absoluteTtl, a one-time code, another value', async () => {
    expect(await store.updateSession(change('never-issued', { set: { a: 1 } }))).toBeNull();
    const destroyed = (await sessions.new({ user: 'ana' })).sid;
    await sessions.destroy(destroyed);
    expect(await store.updateSession(change(storeKeyOfToken(destroyed), { set: { a: 1 } }))).toBeNull();
    expect(await row(destroyed)).toBeUndefined();

    const expiring = (await sessions.newWttl({ user: 'ana' }, 0.2)).sid;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await row(expiring);
    expect(await store.updateSession(change(storeKeyOfToken(expiring), { set: { a: 1 } }))).toBeNull();
    expect(await row(expiring)).toEqual(before);

    const old = (await sessions.new({ user: 'ana' })).sid;
    const fresh = await row(old);
    expect(await store.updateSession(change(storeKeyOfToken(old), { set: { a: 1 }, absoluteTtlMs: 1, now: Date.now() + 10 }))).toBeNull();
    expect(await row(old)).toEqual(fresh);

    const code = await sessions.newOnce({ purpose: 'reset' }, 60);
    const once = await row(code);
    expect(await store.updateSession(change(storeKeyOfToken(code), { set: { a: 1 } }))).toBeNull();
    expect(await row(code)).toEqual(once);

    await store.set('express-session-id', { cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) }, user: 'ana' });
    expect(await store.updateSession(change('express-session-id', { set: { a: 1 } }))).toBeNull();
    expect(await store.get('express-session-id')).toMatchObject({ user: 'ana' });
  });

  test('the statement applies a change exactly as the contract\'s JavaScript does (applySessionChange)', async () => {
    await appliesChangesAsTheContractSays(store, sessions);
  });

  test('all, length, clear and prune', async () => {
    const a = (await sessions.new({ user: 'ana' })).sid;
    await sessions.newWttl({ user: 'bo' }, 0.1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await store.length()).toBe(1);
    expect(Object.keys((await store.all())!)).toEqual([storeKeyOfToken(a)]);
    expect(await store.prune()).toBe(1);
    await store.clear();
    expect(await store.length()).toBe(0);
  });

  test('options: a table name that is not one is refused; without createTable the table must exist', async () => {
    expect(() => pgStore({ pool, table: 'x; DROP TABLE users' })).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS' }));
    expect(() => pgStore({ pool, ttl: -1 })).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS' }));
    const missing = new TokenSession({ store: pgStore({ pool, table: `missing_${randomUUID().replaceAll('-', '')}` }) });
    await expect(missing.new({})).rejects.toMatchObject({ code: 'ERR_STORE' });
  });

  test('express-session itself on pgStore: sign-in, reads, writes, touch, regenerate, destroy', async () => {
    const app = express();
    app.use(expressSession({ store, secret: 'a test secret', resave: false, saveUninitialized: false, cookie: { maxAge: 60_000 } }));
    app.post('/login', (req, res) => res.json({ id: (Object.assign(req.session, { user: 'ana', cart: [] }), req.sessionID) }));
    app.post('/add', (req, res) => res.json(((req.session as unknown as { cart: string[] }).cart.push(String(req.query['item'])), {})));
    app.get('/me', (req, res) => res.json({ id: req.sessionID, ...(req.session as unknown as object) }));
    app.post('/regenerate', (req, res, next) => req.session.regenerate((err) => (err ? next(err) : res.json({ id: (Object.assign(req.session, { user: 'ana again' }), req.sessionID) }))));
    app.post('/logout', (req, res, next) => req.session.destroy((err) => (err ? next(err) : res.json({}))));
    const agent = request.agent(app);
    const byId = async (id: string) => (await pool.query(`SELECT sess, expire FROM ${table} WHERE sid = $1`, [id])).rows[0];
    const { id } = (await agent.post('/login').expect(200)).body as { id: string };
    await agent.post('/add?item=tea').expect(200);
    expect((await agent.get('/me').expect(200)).body).toMatchObject({ id, user: 'ana', cart: ['tea'], cookie: { originalMaxAge: aboutAMinute } });
    const stored = await byId(id);
    expect(stored.sess).toMatchObject({ user: 'ana', cart: ['tea'], cookie: { originalMaxAge: aboutAMinute, httpOnly: true, path: '/' } });
    expect(stored.expire.getTime()).toBe(Date.parse(stored.sess.cookie.expires));
    const moved = ((await agent.post('/regenerate').expect(200)).body as { id: string }).id;
    expect(await byId(id)).toBeUndefined();
    expect((await agent.get('/me').expect(200)).body).toMatchObject({ id: moved, user: 'ana again' });
    await agent.post('/logout').expect(200);
    expect(await byId(moved)).toBeUndefined();
  });
});
