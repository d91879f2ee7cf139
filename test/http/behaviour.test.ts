// The behaviour suite: one set of HTTP tests run against every adapter.
import type { IncomingMessage } from 'node:http';
import request from 'supertest';
import { TokenSession, type InvalidTokenEvent, type MiddlewareOptions } from '../../src';
import { ADAPTERS, type AdapterName, type RunningApp } from '../helpers/apps';
import { countCalls, FAULTS, switchableStore, type CallCounts, type SwitchableStore } from '../helpers/fake-stores';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HEADER = 'x-session-token';

describe.each(Object.keys(ADAPTERS) as AdapterName[])('%s', (adapter) => {
  let app: RunningApp | undefined;
  let store: SwitchableStore;
  let calls: CallCounts;

  /** Starts the adapter's app on a fresh, counted store (shared with `sessions` when given one). */
  async function start(options: Record<string, unknown> = {}): Promise<request.Agent> {
    store = switchableStore();
    calls = countCalls(store);
    const engine = options['sessions'] ? {} : { store };
    app = await ADAPTERS[adapter]({ ...engine, ...options } as MiddlewareOptions);
    return request.agent(app.url);
  }

  const resetCounts = () => Object.assign(calls, { get: 0, set: 0, destroy: 0 });

  async function login(http: request.Agent, user = 'ana'): Promise<string> {
    const res = await http.post(`/login?user=${user}`).expect(200);
    expect(res.headers[HEADER]).toBe(res.body.token);
    return res.body.token as string;
  }

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  test('no token: no session, and no store call at all', async () => {
    const http = await start();
    const res = await http.get('/session').expect(200);
    expect(res.body).toEqual({ id: null, data: {}, status: 'none' });
    expect(res.headers[HEADER]).toBeUndefined();
    expect(calls).toEqual({ get: 0, set: 0, destroy: 0 });
  });

  test('create sends the token with Cache-Control: no-store, and the token reads the session back', async () => {
    const http = await start();
    const res = await http.post('/login?user=bo').expect(200);
    const token = res.body.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers[HEADER]).toBe(token);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(calls.set).toBe(1);

    const read = await http.get('/session').set(HEADER, token).expect(200);
    expect(read.body).toEqual({ id: token, data: { user: 'bo', count: 0 }, status: 'live' });
    expect(read.headers[HEADER]).toBeUndefined();
  });

  test('no response ever sets a cookie: login, change, regenerate, logout, a 401', async () => {
    const http = await start();
    const token = await login(http);
    const responses = [
      await http.post('/count').set(HEADER, token),
      await http.post('/regenerate').set(HEADER, token),
      await http.get('/private'),
    ];
    const moved = responses[1]!.body.token as string;
    responses.push(await http.post('/logout').set(HEADER, moved), await http.post('/login?user=cy'));
    expect(responses.map((res) => res.status)).toEqual([200, 200, 401, 200, 200]);
    for (const res of responses) expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('a change is there for the very next request, every time', async () => {
    const http = await start();
    const token = await login(http);
    for (let i = 1; i <= 5; i += 1) {
      await http.post('/count').set(HEADER, token).expect(200, { count: i });
      const read = await http.get('/session').set(HEADER, token).expect(200);
      expect(read.body.data.count).toBe(i);
    }
  });

  test('a read-only request reads the store once and writes nothing', async () => {
    const http = await start();
    const token = await login(http);
    resetCounts();
    await http.get('/session').set(HEADER, token).expect(200);
    await http.get('/session').set(HEADER, token).expect(200);
    expect(calls).toEqual({ get: 2, set: 0, destroy: 0 });
  });

  test('a touch is written only when due, and touch() forces one', async () => {
    const http = await start({ touchAfter: 0.3 });
    const token = await login(http);
    resetCounts();
    await http.get('/session').set(HEADER, token).expect(200);
    expect(calls.set).toBe(0);
    await sleep(350);
    await http.get('/session').set(HEADER, token).expect(200);
    expect(calls.set).toBe(1);
    await http.get('/session').set(HEADER, token).expect(200);
    expect(calls.set).toBe(1);
    await http.post('/touch').set(HEADER, token).expect(200);
    expect(calls.set).toBe(2);
  });

  test.each([
    [false, 0],
    [true, 1],
  ])('autoTouch: %p with touchAfter: 0: a read-only request makes %i touch writes', async (autoTouch, writes) => {
    const http = await start({ autoTouch, touchAfter: 0 });
    const token = await login(http);
    await sleep(5); // so that a touch would move the expiry
    resetCounts();
    await http.get('/session').set(HEADER, token).expect(200);
    // A touch reads the session again before it writes, so as not to bring back one ended meanwhile.
    expect(calls).toEqual({ get: 1 + writes, set: writes, destroy: 0 });
    await http.post('/touch').set(HEADER, token).expect(200); // an explicit touch is written whatever autoTouch says
    expect(calls.set).toBe(writes + 1);
  });

  test('a write still on its way to the store when a logout arrives does not bring the session back', async () => {
    const http = await start();
    const token = await login(http);
    resetCounts();
    store.delays.set('set', 400);
    const slowWrite = http.post('/set?key=late&value=1').set(HEADER, token).then((res) => res);
    while (calls.set === 0) await sleep(5); // the write has reached the store, which takes 400 ms to apply it
    store.delays.clear();
    await http.post('/logout').set(HEADER, token).expect(200);
    expect((await slowWrite).status).toBe(200);
    await http.get('/session').set(HEADER, token).expect(200, { id: null, data: {}, status: 'unknown' });
    expect(store.map.size).toBe(0);
    expect(calls.destroy).toBe(1);
  });

  test.each([
    ['malformed', 'not a token!'],
    ['oversized', 'a'.repeat(513)],
    ['with a NUL escape', 'abc%00def'],
    ['repeated', ['tokenA', 'tokenB']],
  ])('a %s token is no session, with no store lookup', async (_kind, value) => {
    const http = await start();
    const res = await http.get('/session').set(HEADER, value as string).expect(200);
    expect(res.body).toEqual({ id: null, data: {}, status: 'malformed' });
    expect(calls.get).toBe(0);
  });

  test('every token that opens no session reaches onInvalidToken, with its reason and the framework\'s raw request', async () => {
    const seen: Array<{ reason: string; address: string | undefined }> = [];
    // Node's request, with its socket; the web's Request (hono, fetch), with its URL.
    const addressOf = (req: InvalidTokenEvent<IncomingMessage | Request>['request']) => (req instanceof Request ? new URL(req.url).hostname : req.socket.remoteAddress);
    const http = await start({
      onInvalidToken: ({ reason, request: req }: InvalidTokenEvent<IncomingMessage | Request>) => seen.push({ reason, address: addressOf(req) }),
    });
    const token = await login(http);
    await http.get('/session').expect(200);
    await http.get('/session').set(HEADER, token).expect(200);
    expect(seen).toEqual([]);
    await http.get('/session').set(HEADER, 'not a token!').expect(200);
    await http.get('/session').set(HEADER, 'well-formed-but-unknown').expect(200);
    expect(seen).toEqual([
      { reason: 'malformed', address: '127.0.0.1' },
      { reason: 'unknown', address: '127.0.0.1' },
    ]);
  });

  test('publicId is the id list() shows for this session, and null without one', async () => {
    const sessions = new TokenSession<any>({ ownerKey: 'user' });
    const http = await start({ sessions });
    await http.get('/public-id').expect(200, { publicId: null });
    const token = await login(http, 'ana');
    const [listed] = await sessions.list('ana');
    await http.get('/public-id').set(HEADER, token).expect(200, { publicId: listed!.id });
  });

  test.each(['not a token!', 'well-formed-but-unknown'])('an onInvalidToken hook that throws fails the request with a 500 (token %p), and the app keeps serving', async (bad) => {
    const http = await start({
      onInvalidToken: () => {
        throw new Error('the rate limiter is down');
      },
    });
    const token = await login(http);
    await http.get('/session').set(HEADER, bad).expect(500);
    await http.get('/session').set(HEADER, token).expect(200);
  });

  test('destroyOthers() ends the owner\'s other sessions and keeps this one; events tell of each, with no token', async () => {
    const sessions = new TokenSession<any>({ store: switchableStore(), ownerKey: 'user' });
    const events: string[] = [];
    sessions.on('create', ({ owner }) => void events.push(`create ${owner}`)).on('destroy', ({ owner }) => void events.push(`destroy ${owner}`));
    const http = await start({ sessions });
    const [phone, laptop, tablet] = [await login(http, 'ana'), await login(http, 'ana'), await login(http, 'ana')];
    const bo = await login(http, 'bo');
    await http.post('/logout-others').set(HEADER, phone).expect(200, { ended: 2 });
    for (const gone of [laptop, tablet]) await http.get('/session').set(HEADER, gone).expect(200, { id: null, data: {}, status: 'unknown' });
    for (const kept of [phone, bo]) expect((await http.get('/session').set(HEADER, kept).expect(200)).body.status).toBe('live');
    await http.post('/logout-others').set(HEADER, phone).expect(200, { ended: 0 });
    expect(events).toEqual(['create ana', 'create ana', 'create ana', 'create bo', 'destroy ana', 'destroy ana']);
    expect((await http.post('/logout-others')).status).toBe(500); // no session: ERR_NO_SESSION
  });

  test('metadata: list() shows the user agent and address that made a session and its last write; without it the store holds neither, and the writes are the same', async () => {
    async function run(metadata: boolean) {
      const store = switchableStore();
      const counts = countCalls(store);
      const sessions = new TokenSession<any>({ store, ownerKey: 'user', metadata });
      const running = await ADAPTERS[adapter]({ sessions });
      try {
        const http = request.agent(running.url);
        const token = (await http.post('/login?user=ana').set('user-agent', 'TestBrowser/1.0').expect(200)).body.token as string;
        const [made] = await sessions.list('ana');
        await sleep(20);
        await http.post('/count').set(HEADER, token).expect(200);
        await http.get('/session').set(HEADER, token).expect(200); // a read within touchAfter: no write, no lastSeenAt
        const [after] = await sessions.list('ana');
        return { made: made!, after: after!, writes: counts.set, stored: JSON.stringify([...store.map.values()]) };
      } finally {
        await running.close();
      }
    }
    const on = await run(true);
    expect(on.made).toMatchObject({ userAgent: 'TestBrowser/1.0', ip: expect.stringMatching(/127\.0\.0\.1$/) });
    expect(Math.abs(Date.now() - on.made.lastSeenAt!)).toBeLessThan(5000);
    expect(on.after.lastSeenAt).toBeGreaterThan(on.made.lastSeenAt!);
    expect(on.after).toMatchObject({ userAgent: 'TestBrowser/1.0' });
    const off = await run(false);
    for (const info of [off.made, off.after]) for (const field of ['userAgent', 'ip', 'lastSeenAt']) expect(info).not.toHaveProperty(field);
    expect(off.stored).not.toContain('TestBrowser');
    expect(off.stored).not.toContain('127.0.0.1');
    expect(on.writes).toBe(off.writes);
  });

  test('maxSessionsPerOwner: a third sign-in of one user ends the first, before its response', async () => {
    const http = await start({ sessions: new TokenSession<any>({ store: switchableStore(), ownerKey: 'user', maxSessionsPerOwner: 2 }) });
    const first = await login(http, 'ana');
    await sleep(5);
    const second = await login(http, 'ana');
    await sleep(5);
    const third = await login(http, 'ana');
    await http.get('/session').set(HEADER, first).expect(200, { id: null, data: {}, status: 'unknown' });
    for (const kept of [second, third]) expect((await http.get('/session').set(HEADER, kept).expect(200)).body.status).toBe('live');
  });

  test('an unknown or expired token is no session', async () => {
    const http = await start();
    await http.get('/session').set(HEADER, 'well-formed-but-unknown').expect(200, { id: null, data: {}, status: 'unknown' });
    const short = await http.post('/login?ttl=0.2').expect(200);
    await sleep(250);
    await http.get('/session').set(HEADER, short.body.token).expect(200, { id: null, data: {}, status: 'unknown' });
  });

  test('regenerate: new token, same data, the old token dead at once', async () => {
    const http = await start();
    const old = await login(http, 'cy');
    const res = await http.post('/regenerate').set(HEADER, old).expect(200);
    const fresh = res.body.token as string;
    expect(fresh).not.toBe(old);
    expect(res.headers[HEADER]).toBe(fresh);
    expect(res.headers['cache-control']).toBe('no-store');
    await http.get('/session').set(HEADER, old).expect(200, { id: null, data: {}, status: 'unknown' });
    const read = await http.get('/session').set(HEADER, fresh).expect(200);
    expect(read.body.data).toEqual({ user: 'cy', count: 0 });
    expect(store.map.size).toBe(1);
  });

  test('destroy ends the session for every later request', async () => {
    const http = await start();
    const token = await login(http);
    await http.post('/logout').set(HEADER, token).expect(200);
    expect(store.map.size).toBe(0);
    await http.get('/session').set(HEADER, token).expect(200, { id: null, data: {}, status: 'unknown' });
  });

  test('save() writes mid-request, and the commit writes the rest', async () => {
    const http = await start();
    const token = await login(http);
    await http.post('/save-then-count').set(HEADER, token).expect(200, { count: 2 });
    const read = await http.get('/session').set(HEADER, token).expect(200);
    expect(read.body.data.count).toBe(2);
  });

  test('required: 401 with a JSON body when there is no valid session', async () => {
    const http = await start({ required: true });
    const res = await http.get('/session').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['www-authenticate']).toBeUndefined();
    await http.get('/session').set(HEADER, 'unknown-token').expect(401);
    expect(calls.set).toBe(0);
  });

  test('required with Authorization: Bearer, as RFC 6750 says', async () => {
    const sessions = new TokenSession();
    const { sid } = await sessions.new({ user: 'di', count: 0 });
    const http = await start({ sessions, header: 'authorization', required: true });
    const missing = await http.get('/session').expect(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    const bad = await http.get('/session').set('Authorization', 'Bearer not-a-live-token').expect(401);
    expect(bad.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const basic = await http.get('/session').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
    expect(basic.headers['www-authenticate']).toBe('Bearer');
    const ok = await http.get('/session').set('Authorization', `Bearer ${sid}`).expect(200);
    expect(ok.body.data).toEqual({ user: 'di', count: 0 });
  });

  test('required: { maxAuthAge }: an older sign-in gets 401 insufficient_user_authentication (RFC 9470); reauthenticate() signs in afresh, regenerate() keeps it', async () => {
    const http = await start();
    const token = await login(http);
    const { authenticatedAt } = (await http.get('/signed-in').set(HEADER, token).expect(200)).body as { authenticatedAt: number };
    expect(Math.abs(Date.now() - authenticatedAt)).toBeLessThan(1000);
    await http.post('/change-password').set(HEADER, token).expect(200, { ok: true });
    await sleep(1100);
    const stale = await http.post('/change-password').set(HEADER, token).expect(401);
    expect(stale.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", max_age="1"');
    expect(stale.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'this needs a sign-in within the last 1 s: sign in again' });
    await http.post('/count').set(HEADER, token).expect(200, { count: 1 }); // other routes do not care

    const fresh = (await http.post('/reauthenticate').set(HEADER, token).expect(200)).body.token as string;
    expect(fresh).not.toBe(token);
    await http.get('/session').set(HEADER, token).expect(200, { id: null, data: {}, status: 'unknown' });
    await http.post('/change-password').set(HEADER, fresh).expect(200);
    const renewed = (await http.get('/signed-in').set(HEADER, fresh).expect(200)).body.authenticatedAt as number;
    expect(renewed).toBeGreaterThan(authenticatedAt + 1000);
    await http.post('/count').set(HEADER, fresh).expect(200, { count: 2 }); // a write keeps it
    const moved = (await http.post('/regenerate').set(HEADER, fresh).expect(200)).body.token as string;
    await http.get('/signed-in').set(HEADER, moved).expect(200, { authenticatedAt: renewed });
    // Without a session: the usual 401, and reauthenticate() has nothing to renew.
    expect((await http.post('/change-password')).status).toBe(401);
    expect((await http.post('/reauthenticate')).status).toBe(500);
  });

  test('per-route required guards one route only', async () => {
    const http = await start();
    await http.get('/private').expect(401);
    await http.get('/session').expect(200);
    const token = await login(http, 'ed');
    await http.get('/private').set(HEADER, token).expect(200, { user: 'ed' });
  });

  test('the query parameter is off by default, and works when enabled', async () => {
    let http = await start();
    const token = await login(http);
    await http.get(`/session?token=${token}`).expect(200, { id: null, data: {}, status: 'none' });
    await app!.close();

    const sessions = new TokenSession({ store });
    const { sid } = await sessions.new({ via: 'query' });
    app = await ADAPTERS[adapter]({ sessions, query: 'token' });
    http = request.agent(app.url);
    await http.get(`/session?token=${sid}`).expect(200, { id: sid, data: { via: 'query' }, status: 'live' });
    await http.get(`/session?token=${sid}&token=${sid}`).expect(200, { id: null, data: {}, status: 'malformed' });
  });

  describe.each(FAULTS)('a store that %s', (fault) => {
    const fails = fault !== 'answers after 100 ms';
    // A short storeTimeout, so that a store that never answers fails the request quickly.
    const startFaulty = () => start({ storeTimeout: 300 });

    test(`on load: ${fails ? '503 through the framework\'s error path' : 'the request waits and succeeds'}`, async () => {
      const http = await startFaulty();
      const token = await login(http);
      store.faults.set('get', fault);
      const res = await http.get('/session').set(HEADER, token);
      expect(res.status).toBe(fails ? 503 : 200);
      store.faults.clear();
      await http.get('/session').set(HEADER, token).expect(200); // and the app keeps serving
    });

    test(`on commit: ${fails ? '503, never a 200 for a lost write, and nothing half-written' : 'the write is there before the 200'}`, async () => {
      const http = await startFaulty();
      const token = await login(http);
      store.faults.set('set', fault);
      const res = await http.post('/count').set(HEADER, token);
      expect(res.status).toBe(fails ? 503 : 200);
      store.faults.clear();
      const read = await http.get('/session').set(HEADER, token).expect(200);
      // 'errors, then answers again' did write; its first answer, the error, is what counts.
      if (fault !== 'errors, then answers again') expect(read.body.data.count).toBe(fails ? 0 : 1);
    });
  });

  test('data that cannot be stored fails the request with a 500, and the session is unchanged', async () => {
    const http = await start();
    const token = await login(http);
    const res = await http.post('/store-a-date').set(HEADER, token);
    expect(res.status).toBe(500);
    const read = await http.get('/session').set(HEADER, token).expect(200);
    expect(read.body.data).toEqual({ user: 'ana', count: 0 });
  });

  test('writing data without a session fails loudly instead of losing it', async () => {
    const http = await start();
    const res = await http.post('/count');
    expect(res.status).toBe(500);
    expect(calls.set).toBe(0);
  });

  test('one TokenSession instance serves two apps', async () => {
    const sessions = new TokenSession();
    const first = await ADAPTERS[adapter](sessions);
    const second = await ADAPTERS[adapter]({ sessions });
    try {
      const created = await request(first.url).post('/login?user=fay').expect(200);
      const read = await request(second.url).get('/session').set(HEADER, created.body.token).expect(200);
      expect(read.body.data.user).toBe('fay');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
