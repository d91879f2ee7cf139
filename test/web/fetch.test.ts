// token-session/fetch and /hono beyond the behaviour suite: immutable responses, handler failures, Hono's own error handler, extra handler arguments, one engine shared with Express.
import { createServer } from 'node:http';
import express from 'express';
import { Hono } from 'hono';
import request from 'supertest';
import { TokenSession } from '../../src';
import { expressTokenSession } from '../../integrations/express';
import { fetchTokenSession } from '../../integrations/fetch';
import { honoTokenSession } from '../../integrations/hono';
import { listen } from '../helpers/apps';
import { countCalls, switchableStore } from '../helpers/fake-stores';

const HEADER = 'x-session-token';
const req = (path: string, init: RequestInit & { token?: string } = {}) =>
  new Request(`http://127.0.0.1${path}`, { ...init, headers: { ...(init.token ? { [HEADER]: init.token } : {}), ...(init.headers as object) } });

/** A fetch handler on a counted store: POST /login creates; /redirect answers Response.redirect(); /fail throws after its change. */
function fetchApp(options: Record<string, unknown> = {}) {
  const store = switchableStore();
  const calls = countCalls(store);
  const sessions = fetchTokenSession<any>({ store, storeTimeout: 300, ...options });
  const handler = sessions.wrap(async (request, session, env: { name: string }, ctx: { waitUntil(p: Promise<unknown>): void }) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/login') return Response.json({ token: session.create({ n: 0 }) });
    if (pathname === '/login-and-redirect') {
      session.create({ n: 0 });
      return Response.redirect('http://127.0.0.1/home', 302);
    }
    if (pathname === '/count') return Response.json({ n: (session.data.n += 1) });
    if (pathname === '/logout-then-fail') {
      session.destroy();
      throw new Error('the handler failed after its logout');
    }
    if (pathname === '/args') return Response.json({ env: env.name, waitUntil: typeof ctx.waitUntil });
    return Response.json({ id: session.id, data: session.data });
  });
  const env = { name: 'an env binding' };
  const ctx = { waitUntil: () => undefined };
  return { store, calls, sessions, send: (r: Request) => handler(r, env, ctx) };
}

async function login(send: (r: Request) => Promise<Response>): Promise<string> {
  const res = await send(req('/login', { method: 'POST' }));
  return ((await res.json()) as { token: string }).token;
}

test('commit on a Response whose headers are immutable (Response.redirect) answers a copy that carries the token', async () => {
  const { send, store } = fetchApp();
  const res = await send(req('/login-and-redirect', { method: 'POST' }));
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('http://127.0.0.1/home');
  const token = res.headers.get(HEADER)!;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(store.map.size).toBe(1);
  expect(await (await send(req('/', { token }))).json()).toEqual({ id: token, data: { n: 0 } });
});

test('commit(session, response) writes before it resolves, and adds no header when no token was issued', async () => {
  const { sessions, store, calls } = fetchApp();
  const session = await sessions.open(req('/'));
  session.create({ n: 1 });
  const response = new Response('made by the handler');
  const committed = await sessions.commit(session, response);
  expect(committed).toBe(response); // mutable headers: the same object
  expect(calls.set).toBe(1);
  expect(store.map.size).toBe(1);
  const again = await sessions.open(req('/', { token: session.id! }));
  again.data = { n: 2 } as never;
  const plain = await sessions.commit(again, new Response('x'));
  expect(plain.headers.get(HEADER)).toBeNull();
  expect(plain.headers.get('cache-control')).toBeNull();
  expect(await sessions.sessions.getNotTouch(session.id!)).toEqual({ n: 2 });
});

test('wrap hands the handler the arguments after the request (a Worker\'s env and ctx)', async () => {
  const { send } = fetchApp();
  expect(await (await send(req('/args'))).json()).toEqual({ env: 'an env binding', waitUntil: 'function' });
});

test('a handler that throws: what it asked for is committed, then its error goes on to the runtime', async () => {
  const { send } = fetchApp();
  const token = await login(send);
  await expect(send(req('/logout-then-fail', { method: 'POST', token }))).rejects.toThrow('the handler failed after its logout');
  expect(await (await send(req('/', { token }))).json()).toEqual({ id: null, data: {} });
});

test('a store that fails: open rejects with status 503; wrap answers 503 with a JSON body, and never a 200 for a lost write', async () => {
  const { send, sessions, store } = fetchApp();
  const token = await login(send);
  store.faults.set('get', 'errors');
  await expect(sessions.open(req('/', { token }))).rejects.toMatchObject({ code: 'ERR_STORE', statusCode: 503 });
  const onLoad = await send(req('/', { token }));
  expect(onLoad.status).toBe(503);
  expect(await onLoad.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'An internal server error occurred' });
  store.faults.clear();
  store.faults.set('set', 'never answers');
  const onCommit = await send(req('/count', { method: 'POST', token }));
  expect(onCommit.status).toBe(503);
  expect(onCommit.headers.get('content-type')).toBe('application/json; charset=utf-8');
  store.faults.clear();
  expect(await (await send(req('/', { token }))).json()).toEqual({ id: token, data: { n: 0 } });
});

test('required with Authorization: Bearer: 401, WWW-Authenticate and a JSON body, before the handler runs', async () => {
  const { send } = fetchApp({ required: true, header: 'authorization' });
  const none = await send(req('/'));
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toBe('Bearer');
  expect(await none.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'a session token is required: send it in the Authorization header, as "Bearer <token>"' });
  const bad = await send(req('/', { headers: { authorization: 'Bearer well-formed-but-unknown' } }));
  expect(bad.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
});

describe('Hono', () => {
  /** Hono's default error handler: an error with status 503 that reached it would be answered 500. */
  function honoApp() {
    const store = switchableStore();
    const ts = honoTokenSession<any>({ store, storeTimeout: 300 });
    const app = new Hono()
      .use(ts)
      .post('/login', (c) => c.json({ token: c.get('tokenSession').create({ n: 0 }) }))
      .post('/count', ts.requireSession, (c) => c.json({ n: (c.get('tokenSession').data.n += 1) }))
      .post('/login-and-redirect', (c) => (c.get('tokenSession').create({ n: 0 }), c.redirect('/home')))
      .post('/redirect-raw', (c) => (c.get('tokenSession').create({ n: 0 }), Response.redirect('http://127.0.0.1/home', 302)));
    return { app, store, ts };
  }

  test('a store failure is answered 503 by the middleware, on load and on commit, with Hono\'s default error handler in place', async () => {
    const { app, store } = honoApp();
    const token = ((await (await app.request('/login', { method: 'POST' })).json()) as { token: string }).token;
    store.faults.set('get', 'throws');
    expect((await app.request('/count', { method: 'POST', headers: { [HEADER]: token } })).status).toBe(503);
    store.faults.clear();
    store.faults.set('set', 'errors');
    const onCommit = await app.request('/count', { method: 'POST', headers: { [HEADER]: token } });
    expect(onCommit.status).toBe(503);
    expect(((await onCommit.json()) as { statusCode: number }).statusCode).toBe(503);
  });

  test.each(['/login-and-redirect', '/redirect-raw'])('%s: the redirect carries the new token', async (path) => {
    const { app } = honoApp();
    const res = await app.request(path, { method: 'POST' });
    expect(res.status).toBe(302);
    expect(res.headers.get(HEADER)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  test('requireSession guards its route only; ts.sessions is the engine', async () => {
    const { app, ts } = honoApp();
    expect((await app.request('/count', { method: 'POST' })).status).toBe(401);
    const token = ((await (await app.request('/login', { method: 'POST' })).json()) as { token: string }).token;
    expect(await ts.sessions.getNotTouch(token)).toEqual({ n: 0 });
  });
});

test('one TokenSession instance serves an Express app and a Hono app: a session made on one is read and changed on the other', async () => {
  const sessions = new TokenSession<any>();
  const expressApp = express();
  expressApp.use(expressTokenSession({ sessions }));
  expressApp.post('/login', (r, res) => res.json({ token: r.tokenSession.create({ n: 0 } as never) }));
  expressApp.get('/me', (r, res) => res.json(r.tokenSession.data));
  const ts = honoTokenSession<any>({ sessions });
  const hono = new Hono().use(ts).post('/count', (c) => c.json({ n: (c.get('tokenSession').data.n += 1) }));
  const server = await listen(createServer(expressApp));
  try {
    const { token } = (await request(server.url).post('/login').expect(200)).body as { token: string };
    expect(await (await hono.request('/count', { method: 'POST', headers: { [HEADER]: token } })).json()).toEqual({ n: 1 });
    await request(server.url).get('/me').set(HEADER, token).expect(200, { n: 1 });
  } finally {
    await server.close();
  }
});
