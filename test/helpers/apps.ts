// One small app per adapter, with the same routes, for the behaviour suites.
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Koa from 'koa';
import * as Hapi from '@hapi/hapi';
import type { MiddlewareOptions, TokenSessionHandle } from '../../src';
import type { RouteRequirement } from '../../src/adapter';
import { nodeMiddleware } from '../../integrations/node';
import { expressTokenSession } from '../../integrations/express';
import { koaTokenSession } from '../../integrations/koa';
import { tokenSessionPlugin } from '../../integrations/fastify';
import { hapiTokenSession } from '../../integrations/hapi';
import { Hono } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import { fetchTokenSession } from '../../integrations/fetch';
import { honoTokenSession } from '../../integrations/hono';

/**
 * The same small API on every adapter, so one behaviour suite can run against all of them.
 * Handlers take the session handle and the query string and return the JSON to send.
 */
type Session = TokenSessionHandle<any>;
interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Guarded per route, in each framework's own idiom. */
  required?: RouteRequirement;
  handle(session: Session, query: Record<string, string>): unknown;
}

/** Every route waits `?wait=ms` after the session is loaded, before it handles: overlapping requests for the concurrency tests. */
const afterWait = (route: Route): Route => ({
  ...route,
  handle: (s, q) => (q['wait'] ? new Promise((done) => setTimeout(done, Number(q['wait']))).then(() => route.handle(s, q)) : route.handle(s, q)),
});

export const ROUTES: Route[] = ([
  { method: 'GET', path: '/session', handle: (s) => ({ id: s.id, data: s.data, status: s.tokenStatus }) },
  {
    method: 'POST',
    path: '/login',
    handle: (s, q) => ({ token: s.create({ user: q['user'] ?? 'ana', count: 0 }, q['ttl'] ? { ttl: Number(q['ttl']) } : {}) }),
  },
  { method: 'POST', path: '/count', handle: (s) => ({ count: (s.data.count += 1) }) },
  {
    method: 'POST',
    path: '/set',
    handle: (s, q) => {
      s.data[q['key']!] = q['value'];
      return { data: s.data };
    },
  },
  { method: 'POST', path: '/regenerate', handle: (s) => ({ token: s.regenerate() }) },
  { method: 'POST', path: '/logout', handle: (s) => (s.destroy(), { ok: true }) },
  { method: 'POST', path: '/logout-others', handle: async (s) => ({ ended: await s.destroyOthers() }) },
  { method: 'POST', path: '/touch', handle: (s) => (s.touch(), { ok: true }) },
  { method: 'POST', path: '/save-then-count', handle: async (s) => { s.data.count += 1; await s.save(); s.data.count += 1; return { count: s.data.count }; } },
  { method: 'POST', path: '/store-a-date', handle: (s) => ((s.data.at = new Date()), { ok: true }) },
  { method: 'GET', path: '/private', required: true, handle: (s) => ({ user: s.data.user }) },
  // A sensitive action: a sign-in at most 1 s old.
  { method: 'POST', path: '/change-password', required: { maxAuthAge: 1 }, handle: () => ({ ok: true }) },
  { method: 'POST', path: '/reauthenticate', handle: (s) => ({ token: s.reauthenticate() }) },
  { method: 'GET', path: '/signed-in', handle: (s) => ({ authenticatedAt: s.authenticatedAt }) },
  { method: 'GET', path: '/public-id', handle: (s) => ({ publicId: s.publicId }) },
  // A naive handler that merges client JSON into the session (JSON.parse makes own "__proto__" keys).
  { method: 'POST', path: '/merge', handle: (s, q) => (Object.assign(s.data, JSON.parse(q['json']!)), { ok: true }) },
] as Route[]).map(afterWait);

export type AdapterName = 'express' | 'express 4' | 'node http' | 'koa' | 'fastify' | 'fastify 4' | 'hapi' | 'hono' | 'fetch';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

type Starter = (options: MiddlewareOptions | undefined) => Promise<RunningApp>;

/** Listens on a loopback port; `close` also ends keep-alive connections. */
export const listen = (server: Server): Promise<RunningApp> =>
  new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });

function startExpress(expressModule: string): Starter {
  return async (options) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const express = require(expressModule) as typeof import('express');
    const app = express();
    const sessions = expressTokenSession(options);
    app.use(sessions);
    for (const route of ROUTES) {
      const guards = route.required ? [sessions.required(route.required)] : [];
      app[route.method === 'GET' ? 'get' : 'post'](route.path, ...guards, (req, res, next) => {
        Promise.resolve()
          .then(() => route.handle(req.tokenSession, req.query as Record<string, string>))
          .then((body) => res.json(body), next);
      });
    }
    return listen(createServer(app));
  };
}

/**
 * Node's own server with the connect-style middleware and no framework: requests keep Node's
 * prototypes (Express replaces them), so the middleware takes its other path there.
 */
const startNodeHttp: Starter = async (options) => {
  const sessions = nodeMiddleware(options);
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse) => (err: { statusCode?: number }) => {
    if (res.headersSent) res.destroy();
    else send(res, err.statusCode ?? 500, { statusCode: err.statusCode ?? 500 });
  };
  const handle = (req: IncomingMessage & { tokenSession?: Session }, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://localhost');
    const route = ROUTES.find((r) => r.method === req.method && r.path === url.pathname);
    if (!route) return send(res, 404, { statusCode: 404 });
    const run = () => {
      Promise.resolve()
        .then(() => route.handle(req.tokenSession!, Object.fromEntries(url.searchParams)))
        .then((body) => send(res, 200, body), fail(res));
    };
    if (route.required) sessions.required(route.required)(req, res, run);
    else run();
  };
  // `next(err)` is how the middleware reports a failed load or commit, as to Express's error handler.
  return listen(createServer((req, res) => sessions(req, res, (err?: unknown) => (err ? fail(res)(err as object) : handle(req, res)))));
};

const startKoa: Starter = async (options) => {
  const app = new Koa();
  app.silent = true; // the 5xx tests are expected; keep Koa from printing each one
  const sessions = koaTokenSession(options);
  app.use(sessions);
  app.use(async (ctx, next) => {
    const route = ROUTES.find((r) => r.method === ctx.method && r.path === ctx.path);
    if (!route) return next();
    const run = async () => {
      ctx.body = await route.handle(ctx.tokenSession, ctx.query as Record<string, string>);
    };
    if (route.required) await sessions.required(route.required)(ctx, run);
    else await run();
  });
  return listen(createServer(app.callback()));
};

function startFastify(fastifyModule: string): Starter {
  return async (options) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fastify = require(fastifyModule) as typeof import('fastify').default;
    const app = fastify();
    await app.register(tokenSessionPlugin, options ?? {});
    for (const route of ROUTES) {
      app.route({
        method: route.method,
        url: route.path,
        config: route.required ? { tokenSession: { required: route.required } } : {},
        handler: async (request) => route.handle(request.tokenSession, request.query as Record<string, string>),
      });
    }
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  };
}

const startHapi: Starter = async (options) => {
  const server = Hapi.server({ port: 0, host: '127.0.0.1' });
  await server.register({ plugin: hapiTokenSession, options });
  for (const route of ROUTES) {
    server.route({
      method: route.method,
      path: route.path,
      options: route.required ? { plugins: { 'token-session': { required: route.required } } } : {},
      handler: (request) => route.handle(request.tokenSession, request.query as Record<string, string>) as object,
    });
  }
  await server.start();
  return { url: server.info.uri, close: () => server.stop() };
};

const json = (status: number, body: unknown) => Response.json(body, { status });

/** Hono on @hono/node-server. Its onError answers every handler error 500: a store failure must come back 503 from the middleware itself. */
const startHono: Starter = async (options) => {
  const sessions = honoTokenSession(options as never);
  const app = new Hono().use(sessions);
  app.onError(() => json(500, { statusCode: 500 }));
  for (const route of ROUTES) {
    const guard = route.required ? sessions.required(route.required) : (_c: unknown, next: () => Promise<void>) => next();
    app.on(route.method, route.path, guard, async (c) => c.json(await route.handle(c.get('tokenSession'), c.req.query()) as object));
  }
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
};

/** The bare fetch adapter, its `wrap` around one fetch handler, on @hono/node-server's bridge from Node's server to fetch. */
const startFetch: Starter = async (options) => {
  const sessions = fetchTokenSession(options as never);
  type NodeServerEnv = { incoming: { socket: { remoteAddress?: string | undefined } } };
  // @hono/node-server hands the handler Node's request beside the web one: the client's address, for `metadata`.
  const handler = sessions.wrap(async (request, session, _env: NodeServerEnv) => {
    const url = new URL(request.url);
    const route = ROUTES.find((r) => r.method === request.method && r.path === url.pathname);
    if (!route) return json(404, { statusCode: 404 });
    const refused = route.required ? sessions.unauthorized(session, route.required) : null;
    if (refused) return refused;
    return json(200, await route.handle(session, Object.fromEntries(url.searchParams)));
  }, { clientAddress: (_request, env) => env.incoming.socket.remoteAddress });
  const fetch = (request: Request, env: NodeServerEnv) => handler(request, env).catch(() => json(500, { statusCode: 500 }));
  return listen(createAdaptorServer({ fetch }) as Server);
};

export const ADAPTERS: Record<AdapterName, Starter> = {
  express: startExpress('express'),
  'express 4': startExpress('express4'),
  'node http': startNodeHttp,
  koa: startKoa,
  fastify: startFastify('fastify'),
  'fastify 4': startFastify('fastify4'),
  hapi: startHapi,
  hono: startHono,
  fetch: startFetch,
};
