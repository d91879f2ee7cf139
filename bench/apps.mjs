// One app per (framework, variant), all with the same two handlers: GET /read answers the
// session's counter, GET /write increments it. POST /login starts a session (token or cookie).
//   variants: bare (no session), noop (bare plus one middleware/hook that does nothing: the
//   framework's own price for any plugin), ts-read / ts-write (token-session), peer-read / peer-write
import { createServer } from 'node:http';
import express from 'express';
import expressSession from 'express-session';
import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Koa from 'koa';
import koaSession from 'koa-session';
import Hapi from '@hapi/hapi';
import yar from '@hapi/yar';
import { Hono } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import { MemoryStore as HonoMemoryStore, sessionMiddleware } from 'hono-sessions';
import { TokenSession } from 'token-session';
import { expressTokenSession } from 'token-session/express';
import { koaTokenSession } from 'token-session/koa';
import { tokenSessionPlugin } from 'token-session/fastify';
import { hapiTokenSession } from 'token-session/hapi';
import { honoTokenSession } from 'token-session/hono';

export const FRAMEWORKS = ['express', 'fastify', 'koa', 'hapi', 'hono'];
export const PEERS = {
  express: 'express-session + MemoryStore',
  fastify: '@fastify/session + @fastify/cookie',
  koa: 'koa-session, external Map store',
  hapi: '@hapi/yar, server cache',
  hono: 'hono-sessions + MemoryStore',
};
const SECRET = 'a benchmark secret that is long enough for every peer';

/** A token-session engine on the default store, with its store calls counted. */
export function countedSessions() {
  const sessions = new TokenSession();
  const calls = { get: 0, set: 0, destroy: 0 };
  for (const name of Object.keys(calls)) {
    const method = sessions.store[name].bind(sessions.store);
    sessions.store[name] = (...args) => {
      calls[name] += 1;
      return method(...args);
    };
  }
  return { sessions, calls };
}

/**
 * Session access per kind: how a handler reads and writes the counter. `bare` keeps one
 * counter in the process, so the bare handler does the same work minus the session.
 */
function access(kind) {
  let bareCount = 0;
  return {
    bare: { login: () => undefined, get: () => bareCount, set: (_s, n) => (bareCount = n) },
    ts: {
      login: (s) => s.create({ count: 0 }),
      get: (s) => s.data.count,
      set: (s, n) => (s.data.count = n),
    },
  }[kind];
}

const listenNode = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

/** `peerStore`: the store of the peer variants (express-session's and @fastify/session's), instead of their in-memory default. */
export async function startApp(framework, variant, sessions, peerStore) {
  const kind = variant === 'bare' || variant === 'noop' ? 'bare' : variant.startsWith('ts-') ? 'ts' : 'peer';
  return STARTERS[framework](kind, sessions, variant === 'noop', peerStore);
}

const STARTERS = {
  async node() {
    const body = JSON.stringify({ count: 0 });
    return listenNode(createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(body);
    }));
  },

  async express(kind, sessions, noop, peerStore) {
    const app = express();
    if (noop) app.use((req, res, next) => next());
    if (kind === 'ts') app.use(expressTokenSession(sessions));
    if (kind === 'peer') app.use(expressSession({ secret: SECRET, resave: false, saveUninitialized: false, ...(peerStore && { store: peerStore }) }));
    const { login, get, set } = kind === 'peer'
      ? { login: (s) => (s.count = 0), get: (s) => s.count, set: (s, n) => (s.count = n) }
      : access(kind);
    const session = (req) => (kind === 'ts' ? req.tokenSession : req.session);
    app.post('/login', (req, res) => res.json({ token: login(session(req)) ?? null }));
    app.get('/read', (req, res) => res.json({ count: get(session(req)) }));
    app.get('/write', (req, res) => res.json({ count: set(session(req), get(session(req)) + 1) }));
    return listenNode(createServer(app));
  },

  async fastify(kind, sessions, noop, peerStore) {
    const app = Fastify();
    if (noop) app.addHook('onRequest', (request, reply, done) => done());
    if (kind === 'ts') await app.register(tokenSessionPlugin, { sessions });
    if (kind === 'peer') {
      await app.register(fastifyCookie);
      await app.register(fastifySession, { secret: SECRET, cookie: { secure: false }, saveUninitialized: false, ...(peerStore && { store: peerStore }) });
    }
    const { login, get, set } = kind === 'peer'
      ? { login: (s) => s.set('count', 0), get: (s) => s.get('count'), set: (s, n) => (s.set('count', n), n) }
      : access(kind);
    const session = (request) => (kind === 'ts' ? request.tokenSession : request.session);
    app.post('/login', async (request) => ({ token: login(session(request)) ?? null }));
    app.get('/read', async (request) => ({ count: get(session(request)) }));
    app.get('/write', async (request) => ({ count: set(session(request), get(session(request)) + 1) }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app.server.address().port;
  },

  async koa(kind, sessions, noop) {
    const app = new Koa();
    app.keys = [SECRET];
    if (noop) app.use((ctx, next) => next());
    if (kind === 'ts') app.use(koaTokenSession(sessions));
    if (kind === 'peer') {
      const external = new Map();
      const store = { get: (key) => external.get(key), set: (key, value) => external.set(key, value), destroy: (key) => external.delete(key) };
      app.use(koaSession({ store }, app));
    }
    const { login, get, set } = kind === 'peer'
      ? { login: (s) => (s.count = 0), get: (s) => s.count, set: (s, n) => (s.count = n) }
      : access(kind);
    const session = (ctx) => (kind === 'ts' ? ctx.tokenSession : ctx.session);
    const routes = {
      'POST /login': (ctx) => ({ token: login(session(ctx)) ?? null }),
      'GET /read': (ctx) => ({ count: get(session(ctx)) }),
      'GET /write': (ctx) => ({ count: set(session(ctx), get(session(ctx)) + 1) }),
    };
    app.use((ctx) => {
      ctx.body = routes[`${ctx.method} ${ctx.path}`](ctx);
    });
    return listenNode(createServer(app.callback()));
  },

  async hapi(kind, sessions, noop) {
    const server = Hapi.server({ port: 0, host: '127.0.0.1' });
    if (noop) server.ext('onPreAuth', (request, h) => h.continue);
    if (kind === 'ts') await server.register({ plugin: hapiTokenSession, options: { sessions } });
    if (kind === 'peer') {
      await server.register({
        plugin: yar,
        options: { maxCookieSize: 0, cache: { expiresIn: 3_600_000 }, cookieOptions: { password: SECRET, isSecure: false } },
      });
    }
    const { login, get, set } = kind === 'peer'
      ? { login: (s) => s.set('count', 0), get: (s) => s.get('count'), set: (s, n) => (s.set('count', n), n) }
      : access(kind);
    const session = (request) => (kind === 'ts' ? request.tokenSession : request.yar);
    server.route([
      { method: 'POST', path: '/login', handler: (request) => ({ token: login(session(request)) ?? null }) },
      { method: 'GET', path: '/read', handler: (request) => ({ count: get(session(request)) }) },
      { method: 'GET', path: '/write', handler: (request) => ({ count: set(session(request), get(session(request)) + 1) }) },
    ]);
    await server.start();
    return server.info.port;
  },

  // On Node through @hono/node-server, as a Node user runs Hono; token-session/hono takes its "node" condition there.
  async hono(kind, sessions, noop) {
    const app = new Hono();
    if (noop) app.use((c, next) => next());
    if (kind === 'ts') app.use(honoTokenSession(sessions));
    if (kind === 'peer') {
      app.use(sessionMiddleware({ store: new HonoMemoryStore(), encryptionKey: SECRET, expireAfterSeconds: 3600, cookieOptions: { path: '/', httpOnly: true, sameSite: 'Lax' } }));
    }
    const { login, get, set } = kind === 'peer'
      ? { login: (s) => s.set('count', 0), get: (s) => s.get('count'), set: (s, n) => (s.set('count', n), n) }
      : access(kind);
    const session = (c) => (kind === 'ts' ? c.get('tokenSession') : c.get('session'));
    app.post('/login', (c) => c.json({ token: login(session(c)) ?? null }));
    app.get('/read', (c) => c.json({ count: get(session(c)) }));
    app.get('/write', (c) => c.json({ count: set(session(c), get(session(c)) + 1) }));
    return listenNode(createAdaptorServer({ fetch: app.fetch }));
  },
};
