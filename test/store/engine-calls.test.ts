// What the engine asks of its own stores: the record back only where it uses it, and, on node-redis, no per-command timer where the engine bounds the call itself.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { Pool } from 'pg';
import { createClient, TimeoutError } from 'redis';
import request from 'supertest';
import { redisIndex, TokenSession, TokenSessionError } from '../../src';
import type { AtomicSessionStore, SessionChange, SessionIndex } from '../../src/adapter';
import { expressTokenSession } from '../../integrations/express';
import { pgStore } from '../../stores/pg';
import { redisStore, type RedisClient } from '../../stores/redis';
import { describeWith, postgresUrl, redisUrl } from '../helpers/real-servers';
import { startDurableRedis, type RestartableRedis } from '../helpers/servers';

type Data = { count: number; user?: string };

/** The store, with every change it was handed and what it answered. */
function watched<S extends AtomicSessionStore>(store: S): { store: S; calls: { returnRecord: boolean; answer: unknown }[] } {
  const calls: { returnRecord: boolean; answer: unknown }[] = [];
  const update = store.updateSession.bind(store);
  store.updateSession = async (change: SessionChange) => {
    const answer = await update(change);
    calls.push({ returnRecord: change.returnRecord, answer: answer === true ? true : answer === null ? null : 'record' });
    return answer;
  };
  return { store, calls };
}

/** Counts, as the benchmark does; `/save-then-write` saves mid-request, then writes again. */
function appOn(sessions: TokenSession<Data>) {
  const app = express();
  app.use(expressTokenSession({ sessions }));
  app.post('/login', (req, res) => res.json({ token: req.tokenSession.create({ count: 0, user: 'ana' }) }));
  app.get('/read', (req, res) => res.json({ count: (req.tokenSession.data as Data).count }));
  app.get('/write', (req, res) => res.json({ count: ((req.tokenSession.data as Data).count += 1) }));
  app.get('/save-then-write', async (req, res) => {
    (req.tokenSession.data as Data).count += 1;
    await req.tokenSession.save();
    res.json({ count: ((req.tokenSession.data as Data).count += 1) });
  });
  return app;
}

/** The record-back rules on the stores `open` makes; `owners` gives an engine with ownerKey its index (none: the store's own). */
function asksForTheRecordOnlyWhereItUsesIt(open: () => AtomicSessionStore, owners: () => { index?: SessionIndex }) {
  test("a request's last commit asks for no record back, and the store answers only that it applied it", async () => {
    const { store, calls } = watched(open());
    const app = appOn(new TokenSession<Data>({ store, ttl: 600 }));
    const { token } = (await request(app).post('/login').expect(200)).body;
    await request(app).get('/write').set('x-session-token', token).expect(200, { count: 1 });
    expect(calls).toEqual([{ returnRecord: false, answer: true }]);
    await request(app).get('/read').set('x-session-token', token).expect(200, { count: 1 });
  });

  test('a commit before the last (save()) asks for the record, which the next commit builds on', async () => {
    const { store, calls } = watched(open());
    const app = appOn(new TokenSession<Data>({ store, ttl: 600 }));
    const { token } = (await request(app).post('/login').expect(200)).body;
    await request(app).get('/save-then-write').set('x-session-token', token).expect(200, { count: 2 });
    expect(calls).toEqual([{ returnRecord: true, answer: 'record' }, { returnRecord: false, answer: true }]);
    await request(app).get('/read').set('x-session-token', token).expect(200, { count: 2 });
  });

  test('with an owner index, every commit asks for the record (its owner and expiry keep the index right)', async () => {
    const { store, calls } = watched(open());
    const sessions = new TokenSession<Data>({ store, ...owners(), ownerKey: 'user', ttl: 600 });
    const app = appOn(sessions);
    const { token } = (await request(app).post('/login').expect(200)).body;
    await request(app).get('/write').set('x-session-token', token).expect(200, { count: 1 });
    expect(calls).toEqual([{ returnRecord: true, answer: 'record' }]);
    expect((await sessions.list('ana')).map(({ data }) => data)).toEqual([{ count: 1, user: 'ana' }]);
  });

  test('a programmatic read whose touch is due hands the store the touch, asking for the record: it answers with the data', async () => {
    const { store, calls } = watched(open());
    const sessions = new TokenSession<Data>({ store, ttl: 600, touchAfter: 0 });
    const { sid } = await sessions.new({ count: 7 });
    await new Promise((resolve) => setTimeout(resolve, 5)); // so that the touch moves the expiry
    expect(await sessions.getAndTouch(sid)).toEqual({ count: 7 });
    expect(calls).toEqual([{ returnRecord: true, answer: 'record' }]);
  });

  test('asked for no record, a change to no live session still answers null, and the request starts over', async () => {
    const { store, calls } = watched(open());
    const sessions = new TokenSession<Data>({ store, ttl: 600 });
    const app = express();
    app.use(expressTokenSession({ sessions }));
    app.post('/login', (req, res) => res.json({ token: req.tokenSession.create({ count: 0 }) }));
    app.get('/write-after-logout', async (req, res) => {
      (req.tokenSession.data as Data).count += 1;
      await sessions.destroy(req.tokenSession.id!); // another request ends it meanwhile
      res.json({});
    });
    const { token } = (await request(app).post('/login').expect(200)).body;
    await request(app).get('/write-after-logout').set('x-session-token', token).expect(200);
    expect(calls).toEqual([{ returnRecord: false, answer: null }]);
    expect(await sessions.getNotTouch(token)).toBeNull();
  });
}

describeWith('redis', 'redisStore: what the engine asks of it', () => {
  let client: RedisClient & { destroy(): void };
  beforeAll(async () => {
    client = createClient({ url: redisUrl! }) as never;
    await (client as unknown as { connect(): Promise<unknown> }).connect();
  });
  afterAll(() => client.destroy());
  asksForTheRecordOnlyWhereItUsesIt(() => redisStore({ client, prefix: `ts-calls:${randomUUID()}:` }), () => ({ index: redisIndex(client, { prefix: `ts-calls-index:${randomUUID()}:` }) }));
});

describeWith('postgres', 'pgStore: what the engine asks of it', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ connectionString: postgresUrl });
  });
  afterAll(() => pool.end());
  asksForTheRecordOnlyWhereItUsesIt(() => pgStore({ pool, table: `ts_${randomUUID().replaceAll('-', '')}`, createTable: true }), () => ({}));
});

/**
 * node-redis' own command timeout (`commandOptions.timeout`) counts only while a command waits to
 * be written: here 100 ms, on a client whose redis-server is killed and started again 700 ms
 * later (offline queue on, a retry every 100 ms). express-session's calls of the store give up at
 * that timeout; the engine's calls (a read, a change, the owner index) carry none and wait for the
 * server, bounded by the engine's storeTimeout alone.
 */
describeWith('redis', 'redisStore on node-redis: whose timeout bounds a call', () => {
  let redis: RestartableRedis;
  beforeAll(async () => {
    redis = await startDurableRedis();
  });
  afterAll(() => redis.stop());

  test("express-session's calls keep the client's timeout; the engine's wait for Redis, as long as storeTimeout allows", async () => {
    const client = createClient({ url: redis.url, commandOptions: { timeout: 100 }, socket: { reconnectStrategy: () => 100 } });
    client.on('error', () => undefined); // the server going away
    await client.connect();
    try {
      const store = redisStore({ client: client as never, prefix: 'ts-timer:' });
      const sessions = new TokenSession<Data>({ store, index: redisIndex(client as never, { prefix: 'ts-timer-index:' }), ownerKey: 'user', ttl: 600 });
      const impatient = new TokenSession<Data>({ store, storeTimeout: 150, ttl: 600 });
      const { sid } = await sessions.new({ count: 1, user: 'ana' });

      await redis.kill();
      while (client.isReady) await new Promise((resolve) => setTimeout(resolve, 5)); // until node-redis has seen the connection go
      const started = Date.now();
      const settled = <V>(work: Promise<V>) => work.then((value) => ({ value, ms: Date.now() - started }), (err: unknown) => ({ err, ms: Date.now() - started }));
      const calls = Promise.all([
        settled(new Promise((resolve, reject) => store.get('any-key', (err) => (err ? reject(err) : resolve(undefined))))),
        settled(impatient.getNotTouch(sid)),
        settled(sessions.getNotTouch(sid)),
        settled(sessions.set(sid, { count: 2, user: 'ana' })),
        settled(sessions.list('ana')),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 700));
      await redis.restart();
      const [expressSessionRead, boundedRead, engineRead, engineChange, engineList] = await calls;

      expect(expressSessionRead).toMatchObject({ err: expect.any(TimeoutError) }); // node-redis' own
      expect(expressSessionRead.ms).toBeLessThan(500);
      expect(boundedRead).toMatchObject({ err: expect.any(TokenSessionError) });
      expect(boundedRead).toMatchObject({ err: { code: 'ERR_STORE_TIMEOUT' } });
      expect(boundedRead.ms).toBeLessThan(500);
      expect(engineRead).toMatchObject({ value: { count: 1, user: 'ana' } });
      expect(engineChange).not.toHaveProperty('err');
      expect(engineList).toMatchObject({ value: [{ data: { user: 'ana' } }] });
      for (const waited of [engineRead, engineChange, engineList]) expect(waited.ms).toBeGreaterThanOrEqual(700);
      expect(await sessions.getNotTouch(sid)).toEqual({ count: 2, user: 'ana' });
    } finally {
      client.destroy();
    }
  });
});
