// Round trips per request, counted on the client: token-session on redisStore / pgStore, on connect-redis / connect-pg-simple, and express-session on those, side by side.
import { randomUUID } from 'node:crypto';
import express from 'express';
import expressSession from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import { Pool } from 'pg';
import request from 'supertest';
import { redisIndex, TokenSession, type ExpressSessionStore } from '../../src';
import { expressTokenSession } from '../../integrations/express';
import { pgStore } from '../../stores/pg';
import { redisStore } from '../../stores/redis';
import { describeWith, postgresUrl } from '../helpers/real-servers';
import { connectRedisOn, REDIS_CLIENTS } from '../helpers/redis-clients';
import { countingRoundTrips } from '../helpers/round-trips';

type Counted = ReturnType<typeof countingRoundTrips<object>>;

/** The benchmark's two handlers: read the counter, or increment it; and a request that asks for a touch. */
function routes(app: express.Express, data: (req: express.Request) => { count: number }, touch?: (req: express.Request) => void) {
  app.post('/login', (req, res) => {
    if (req.session) Object.assign(req.session, { count: 0 }); // express-session: the cookie carries it
    res.json({ token: req.session ? null : req.tokenSession.create({ count: 0, user: 'ana' }) });
  });
  app.get('/read', (req, res) => res.json({ count: data(req).count }));
  app.get('/write', (req, res) => res.json({ count: (data(req).count += 1) }));
  if (touch) app.get('/touch', (req, res) => res.json((touch(req), {})));
}

/**
 * Round trips of each request, on an app built on a counted client, each path once before
 * (the first use of a script on a server costs one more: EVALSHA answers NOSCRIPT, then EVAL).
 */
async function perRequest(counted: Counted, app: express.Express, paths: string[], header: (body: any, res: request.Response) => Record<string, string>) {
  const login = await request(app).post('/login').expect(200);
  const headers = header(login.body, login);
  const trips: Record<string, number> = {};
  for (const path of [...paths, ...paths]) {
    const before = counted.roundTrips();
    let call = request(app).get(path);
    for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
    await call.expect(200);
    trips[path] = counted.roundTrips() - before;
  }
  return trips;
}

/** token-session's app on `store`; with an index (or the store's own, `'own'`), sessions have owners. */
const tokenApp = (store: ExpressSessionStore, index?: Parameters<typeof redisIndex>[0] | 'own') => {
  const owners = index === undefined ? {} : index === 'own' ? { ownerKey: 'user' } : { index: redisIndex(index, { prefix: `ts-rt-index:${randomUUID()}:` }), ownerKey: 'user' };
  const sessions = new TokenSession<{ count: number; user: string }>({ store, ttl: 600, ...owners });
  const app = express();
  app.use(expressTokenSession({ sessions }));
  routes(app, (req) => req.tokenSession.data as { count: number }, (req) => req.tokenSession.touch());
  return app;
};
/**
 * Round trips of the programmatic `set` and `touch` of a session (no read first, on a store that
 * applies changes itself), each once before: on a cluster the session's node may not have the script yet.
 */
async function programmaticSetAndTouch(counted: Counted, store: ExpressSessionStore) {
  const sessions = new TokenSession<{ n: number }>({ store });
  const { sid } = await sessions.new({ n: 1 });
  await sessions.set(sid, { n: 1 });
  await sessions.touch(sid);
  const tripsOf = async (call: () => Promise<unknown>) => {
    const before = counted.roundTrips();
    await call();
    return counted.roundTrips() - before;
  };
  return { set: await tripsOf(() => sessions.set(sid, { n: 2 })), touch: await tripsOf(() => sessions.touch(sid)) };
}

const bearer = (body: { token: string }) => ({ 'x-session-token': body.token });
const cookie = (_body: unknown, res: request.Response) => ({ cookie: String(res.headers['set-cookie']).split(';')[0]! });


/** Both clients on one redis-server, with their connect-redis. */
const CLIENTS = REDIS_CLIENTS.filter(({ server }) => server === 'redis').map((kind) => ({
  name: kind.name,
  open: async () => ({ ...(await kind.open()), store: (client: object, prefix: string) => connectRedisOn(client as never, prefix) }),
}));

describeWith('redis', 'Redis round trips per request', () => {
  describe.each(CLIENTS)('$name', ({ open }) => {
    let opened: Awaited<ReturnType<(typeof CLIENTS)[number]['open']>>;
    beforeAll(async () => {
      opened = await open();
    });
    afterAll(() => opened.close());

    test('token-session on redisStore: a read 1, a write 2 (one read, one write), a touch 2; the programmatic set and touch 1 each', async () => {
      const counted = countingRoundTrips(opened.client as object);
      const store = redisStore({ client: counted.client as never, prefix: `ts-rt:${randomUUID()}:` });
      expect(await perRequest(counted, tokenApp(store), ['/read', '/write', '/touch'], bearer)).toEqual({ '/read': 1, '/write': 2, '/touch': 2 });
      expect(await programmaticSetAndTouch(counted, store)).toEqual({ set: 1, touch: 1 });
    });

    test('with ownerKey and redisIndex on the same server: the index update travels with the write (still 2)', async () => {
      const counted = countingRoundTrips(opened.client as object);
      const store = redisStore({ client: counted.client as never, prefix: `ts-rt:${randomUUID()}:` });
      expect(await perRequest(counted, tokenApp(store, counted.client as never), ['/read', '/write'], bearer)).toEqual({ '/read': 1, '/write': 2 });
    });

    test('token-session on connect-redis (the generic path): a read 1, a write 3 (read, read again, write)', async () => {
      const counted = countingRoundTrips(opened.client as object);
      const store = opened.store(counted.client, `ts-rt:${randomUUID()}:`);
      expect(await perRequest(counted, tokenApp(store), ['/read', '/write'], bearer)).toEqual({ '/read': 1, '/write': 3 });
    });

    test('express-session on connect-redis: a read 2 (read, touch), a write 2 (read, write)', async () => {
      const counted = countingRoundTrips(opened.client as object);
      const app = express();
      app.use(expressSession({ store: opened.store(counted.client, `es-rt:${randomUUID()}:`) as never, secret: 'a test secret', resave: false, saveUninitialized: false }));
      routes(app, (req) => req.session as unknown as { count: number });
      expect(await perRequest(counted, app, ['/read', '/write'], cookie)).toEqual({ '/read': 2, '/write': 2 });
    });
  });
});

// On a cluster the session's key and its owner's index are on different nodes: the index
// commands go to theirs beside the write, so a write still waits for one round trip.
for (const kind of REDIS_CLIENTS.filter(({ cluster }) => cluster)) describeWith(kind.server, `Redis Cluster round trips per request, ${kind.name}`, () => {
  test('token-session on redisStore with ownerKey and redisIndex: a read 1, a write 2, the programmatic set and touch 1 each', async () => {
    const opened = await kind.open();
    try {
      const counted = countingRoundTrips(opened.client as object);
      const store = redisStore({ client: counted.client as never, prefix: `ts-rt:${randomUUID()}:` });
      expect(await perRequest(counted, tokenApp(store, counted.client as never), ['/read', '/write', '/touch'], bearer)).toEqual({ '/read': 1, '/write': 2, '/touch': 2 });
      expect(await programmaticSetAndTouch(counted, store)).toEqual({ set: 1, touch: 1 });
    } finally {
      opened.close();
    }
  });
});

describeWith('postgres', 'PostgreSQL round trips (queries) per request', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ connectionString: postgresUrl });
  });
  afterAll(() => pool.end());
  const table = () => `ts_rt_${randomUUID().replaceAll('-', '')}`;

  test('token-session on pgStore: a read 1, a write 2 (one read, one write), a touch 2, with owners too; the programmatic set and touch 1 each', async () => {
    const counted = countingRoundTrips(pool as object);
    const store = pgStore({ pool: counted.client as never, table: table(), createTable: true });
    expect(await perRequest(counted, tokenApp(store), ['/read', '/write', '/touch'], bearer)).toEqual({ '/read': 1, '/write': 2, '/touch': 2 });
    expect(await perRequest(counted, tokenApp(store, 'own'), ['/read', '/write'], bearer)).toEqual({ '/read': 1, '/write': 2 });
    expect(await programmaticSetAndTouch(counted, store)).toEqual({ set: 1, touch: 1 });
  });

  test('token-session on connect-pg-simple (the generic path): a read 1, a write 3; express-session on it: 2 and 2', async () => {
    const counted = countingRoundTrips(pool as object);
    const PgStore = connectPgSimple(expressSession);
    const store = new PgStore({ pool: counted.client as never, tableName: table(), createTableIfMissing: true, pruneSessionInterval: false });
    expect(await perRequest(counted, tokenApp(store as unknown as ExpressSessionStore), ['/read', '/write'], bearer)).toEqual({ '/read': 1, '/write': 3 });
    const app = express();
    app.use(expressSession({ store, secret: 'a test secret', resave: false, saveUninitialized: false }));
    routes(app, (req) => req.session as unknown as { count: number });
    expect(await perRequest(counted, app, ['/read', '/write'], cookie)).toEqual({ '/read': 2, '/write': 2 });
  });
});
