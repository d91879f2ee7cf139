// The framework-neutral lifecycle: token reading, HTTP options, failures with their status.
import express from 'express';
import request from 'supertest';
import { TokenSession, type TokenSessionHandle } from '../../src';
import { HttpLifecycle, type ResolvedHttpOptions } from '../../src/adapter';
import { readPresentedToken } from '../../src/http/request-token';
import { resolveMiddlewareOptions } from '../../src/http/options';
import { expressTokenSession } from '../../integrations/express';
import { tokenSessionPlugin } from '../../integrations/fastify';
import Fastify from 'fastify';
import { brokenStore } from '../helpers/fake-stores';

describe('readPresentedToken', () => {
  const settings = (over: Partial<ResolvedHttpOptions> = {}): ResolvedHttpOptions => ({
    header: 'x-session-token', bearer: false, query: undefined, responseHeader: 'x-session-token', required: false, onInvalidToken: undefined, ...over,
  });
  const bearer = settings({ header: 'authorization', bearer: true });

  test.each([
    ['a header token', { headers: { 'x-session-token': 'abc' } }, settings(), { token: 'abc', presented: true }],
    ['no header', { headers: {} }, settings(), { token: null, presented: false }],
    ['an empty header', { headers: { 'x-session-token': '' } }, settings(), { token: null, presented: false }],
    ['a header array', { headers: { 'x-session-token': ['a', 'b'] } }, settings(), { token: null, presented: true }],
    ['joined duplicates', { headers: { 'x-session-token': 'a, b' } }, settings(), { token: null, presented: true }],
    ['Bearer', { headers: { authorization: 'Bearer abc' } }, bearer, { token: 'abc', presented: true }],
    ['bearer in lower case, extra spaces', { headers: { authorization: 'bearer   abc ' } }, bearer, { token: 'abc', presented: true }],
    ['Basic is not our token', { headers: { authorization: 'Basic abc' } }, bearer, { token: null, presented: false }],
    ['Bearer with two tokens', { headers: { authorization: 'Bearer a b' } }, bearer, { token: null, presented: false }],
    ['query off', { headers: {}, url: '/x?token=abc' }, settings(), { token: null, presented: false }],
    ['query on', { headers: {}, url: '/x?token=abc' }, settings({ query: 'token' }), { token: 'abc', presented: true }],
    ['query repeated', { headers: {}, url: '/x?token=a&token=b' }, settings({ query: 'token' }), { token: null, presented: true }],
    ['query %00', { headers: {}, url: '/x?token=a%00b' }, settings({ query: 'token' }), { token: null, presented: true }],
    ['the header wins over the query', { headers: { 'x-session-token': 'h' }, url: '/?token=q' }, settings({ query: 'token' }), { token: 'h', presented: true }],
  ])('%s', (_name, req, s, expected) => {
    expect(readPresentedToken(req, s)).toEqual(expected);
  });
});

describe('middleware options', () => {
  test.each([
    [{ header: 'x session' }, /option "header"/],
    [{ responseHeader: '' }, /option "responseHeader"/],
    [{ query: '' }, /option "query"/],
    [{ query: 1 }, /option "query"/],
    [{ required: 'yes' }, /option "required"/],
    [{ sessions: {} }, /option "sessions"/],
    [{ sessions: new TokenSession(), ttl: 5 }, /option "ttl" configures the engine/],
    [{ ttl: -1 }, /option "ttl"/],
    [{ hedaer: 'x' }, /option "hedaer" is not an option/],
    ['x-session-token', /must be an object/],
  ])('%p is refused with ERR_OPTIONS', (options, message) => {
    expect(() => resolveMiddlewareOptions(options as never)).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS', message: expect.stringMatching(message) }));
  });

  test("a typo in a middleware's options lists the middleware's own options with the engine's; the engine's lists its own", () => {
    const known = (make: () => unknown) => {
      try {
        make();
      } catch (err) {
        return /\(known: (.*)\)/.exec((err as Error).message)![1]!.split(', ');
      }
      throw new Error('no error');
    };
    const middleware = known(() => expressTokenSession({ hedaer: 'x-token' } as never));
    expect(middleware).toEqual(expect.arrayContaining(['sessions', 'header', 'query', 'responseHeader', 'required', 'onInvalidToken', 'store', 'ttl', 'ownerKey']));
    const engine = known(() => new TokenSession({ hedaer: 'x-token' } as never));
    expect(engine).toEqual(expect.arrayContaining(['store', 'ttl', 'ownerKey']));
    expect(engine).not.toContain('header');
  });

  test('defaults, and the authorization header answers in x-session-token', () => {
    expect(new HttpLifecycle().options).toEqual({
      header: 'x-session-token', bearer: false, query: undefined, responseHeader: 'x-session-token', required: false,
    });
    expect(new HttpLifecycle({ header: 'Authorization' }).options).toMatchObject({
      header: 'authorization', bearer: true, responseHeader: 'x-session-token',
    });
  });

  test('an instance, bare or as { sessions }, is shared, not copied', () => {
    const sessions = new TokenSession();
    expect(new HttpLifecycle(sessions).sessions).toBe(sessions);
    expect(new HttpLifecycle({ sessions, header: 'x-token' }).sessions).toBe(sessions);
  });
});

test('the seed API: app.use(tokenSession.express)', async () => {
  const tokenSession = new TokenSession();
  expect(tokenSession.express).toBe(tokenSession.express);
  const app = express();
  app.use(tokenSession.express);
  app.post('/login', (req, res) => res.json({ token: req.tokenSession.create({ n: 1 }) }));
  app.get('/n', (req, res) => res.json(req.tokenSession.data));
  const login = await request(app).post('/login').expect(200);
  expect(await tokenSession.get(login.body.token)).toEqual({ n: 1 });
  await request(app).get('/n').set('x-session-token', login.body.token).expect(200, { n: 1 });
});

test('a per-route guard without the middleware fails with a clear error, not a TypeError', async () => {
  const guardOnly = new HttpLifecycle();
  expect(() => guardOnly.unauthorized(undefined, true)).toThrow(
    expect.objectContaining({ code: 'ERR_OPTIONS', message: expect.stringMatching(/register that first/) }),
  );
  const app = express();
  app.get('/private', expressTokenSession().requireSession, (_req, res) => res.json({ ok: true }));
  app.use((err: { code?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ code: err.code });
  });
  await request(app).get('/private').expect(500, { code: 'ERR_OPTIONS' });
});

test('a store failure in open or commit reaches `otherwise` with its 503 already on the error, for any adapter to pass on as it is', async () => {
  const lifecycle = new HttpLifecycle({ sessions: new TokenSession({ store: brokenStore('errors') }) });
  const unavailable = { code: 'ERR_STORE', status: 503, statusCode: 503, expose: false };
  const failureOf = (run: (otherwise: (err: unknown) => unknown) => unknown) => Promise.resolve(run((err) => ({ failed: err })));
  await expect(failureOf((otherwise) => lifecycle.open({ headers: { 'x-session-token': 'a'.repeat(43) } }, () => 'opened', otherwise)))
    .resolves.toEqual({ failed: expect.objectContaining(unavailable) });
  let anonymous: TokenSessionHandle | undefined;
  expect(lifecycle.open<unknown>({ headers: {} }, (session) => (anonymous = session), () => 'failed')).toBe(anonymous); // no token: no store call, at once
  anonymous!.create({ n: 1 });
  await expect(failureOf((otherwise) => lifecycle.commit(anonymous!, () => 'committed', otherwise)))
    .resolves.toEqual({ failed: expect.objectContaining(unavailable) });
});

test('a save() after the final commit reads the session again and writes onto it', async () => {
  const sessions = new TokenSession<any>();
  const lifecycle = new HttpLifecycle({ sessions });
  const opened = (raw: { headers: Record<string, string> }) => new Promise<TokenSessionHandle<any>>((resolve, reject) => lifecycle.open(raw, resolve, reject));
  const committed = (session: TokenSessionHandle<any>) => new Promise((resolve, reject) => lifecycle.commit(session, resolve, reject));
  const first = await opened({ headers: {} });
  const token = first.create({ n: 1 });
  await committed(first);
  await sessions.set(token, { n: 1, elsewhere: true }); // changed by someone else since
  first.data.n = 2;
  await first.save();
  expect(await sessions.getNotTouch(token)).toEqual({ n: 2, elsewhere: true });
  await sessions.destroy(token);
  first.data.n = 3;
  await first.save(); // the session is gone: nothing is written, and the handle has no session any more
  expect(first.id).toBeNull();
  expect(await sessions.getNotTouch(token)).toBeNull();
});

test('a handler that replaces request.tokenSession (Fastify keeps the handle there) gets a clear 500, not a crash or a silent loss', async () => {
  const app = Fastify();
  await app.register(tokenSessionPlugin, {});
  app.get('/replace', async (request) => {
    (request as unknown as { tokenSession: unknown }).tokenSession = { data: { mine: true } };
    return { ok: true };
  });
  app.get('/ok', async () => ({ ok: true }));
  await app.ready();
  const replaced = await request(app.server).get('/replace').expect(500);
  expect(replaced.body).toMatchObject({ code: 'ERR_OPTIONS' });
  await request(app.server).get('/ok').expect(200);
  await app.close();
});

test.each<[{ header?: string; query?: string }, string]>([
  [{}, 'the x-session-token header'],
  [{ header: 'X-Api-Session' }, 'the x-api-session header'],
  [{ header: 'authorization' }, 'the Authorization header, as "Bearer <token>"'],
  [{ query: 'token' }, 'the x-session-token header or the token query parameter'],
])('a 401 for a request with no token says where the token goes (%j)', async (options, where) => {
  const app = express();
  app.use(expressTokenSession({ sessions: new TokenSession(), required: true, ...options }));
  app.get('/me', (req, res) => res.json({}));
  const res = await request(app).get('/me').expect(401);
  expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: `a session token is required: send it in ${where}` });
  // A bad token is told apart, and names no header: the client sent one.
  const bearer = options.header === 'authorization';
  const bad = await request(app).get('/me').set(options.header ?? 'x-session-token', bearer ? 'Bearer unknown-token' : 'unknown-token').expect(401);
  expect(bad.body.message).toBe('the session token is invalid or has expired');
});
