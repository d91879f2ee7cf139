// The Node and Express middleware: the held end, the shared-prototype path, plain Node.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import request from 'supertest';
import { TokenSession, type TokenSessionHandle } from '../../src';
import { nodeMiddleware } from '../../integrations/node';
import { expressTokenSession } from '../../integrations/express';
import { listen, type RunningApp } from '../helpers/apps';

// How the connect-style middleware attaches to Express, whose req and res change prototype on
// every request: the handle and the held `end` live on Express's shared prototypes, not on
// each request. These tests pin what that must keep working: sub-apps, other middleware that
// wraps `res.end` before or after ours, two token-session middlewares, and `genid(req)`.

type Express = typeof import('express');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const EXPRESSES: [string, Express][] = [['express 5', require('express')], ['express 4', require('express4')]];
const HEADER = 'x-session-token';

/** A genid that reads the request, as express-session's `genid(req)` may. */
const tenantToken = (req?: unknown): string =>
  `tenant-${(req as IncomingMessage).headers['x-tenant'] as string}-${Math.random().toString(36).slice(2)}`;

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(app: Parameters<typeof createServer>[1]): Promise<request.Agent> {
  running = await listen(createServer(app));
  return request.agent(running.url);
}

/** Routes on `router`: login, count (a change), read. */
function addRoutes(router: { post: Function; get: Function }): void {
  const session = (req: IncomingMessage) => (req as unknown as { tokenSession: TokenSessionHandle<any> }).tokenSession;
  router.post('/login', (req: IncomingMessage, res: { json(b: unknown): void }) => res.json({ token: session(req).create({ count: 0 }) }));
  router.post('/count', (req: IncomingMessage, res: { json(b: unknown): void }) => res.json({ count: (session(req).data.count += 1) }));
  router.get('/read', (req: IncomingMessage, res: { json(b: unknown): void }) => res.json({ count: session(req).data.count ?? null }));
}

describe.each(EXPRESSES)('%s', (_name, express) => {
  test('adds no property to req or res: the handle and the held end come from Express\'s shared prototypes', async () => {
    const app = express();
    app.use(expressTokenSession());
    const seen: boolean[] = [];
    app.use((req, res, next) => {
      seen.push(Object.hasOwn(req, 'tokenSession'), Object.hasOwn(res, 'end'));
      next();
    });
    addRoutes(app);
    const http = await start(app);
    const token = (await http.post('/login').expect(200)).body.token as string;
    expect((await http.post('/count').set(HEADER, token).expect(200)).body).toEqual({ count: 1 });
    expect((await http.get('/read').set(HEADER, token).expect(200)).body).toEqual({ count: 1 });
    expect(seen).toEqual([false, false, false, false, false, false]);
  });

  test('req.tokenSession can still be assigned, as express-session\'s req.session can', async () => {
    const app = express();
    app.use(expressTokenSession());
    app.get('/assign', (req, res) => {
      const before = req.tokenSession.tokenStatus;
      (req as unknown as { tokenSession: unknown }).tokenSession = 'replaced';
      res.json({ before, after: req.tokenSession, own: Object.hasOwn(req, 'tokenSession') });
    });
    const http = await start(app);
    expect((await http.get('/assign').expect(200)).body).toEqual({ before: 'none', after: 'replaced', own: false });
  });

  test('an app in the same process without token-session is untouched: its responses end, it has no tokenSession', async () => {
    const withSessions = express();
    withSessions.use(expressTokenSession());
    addRoutes(withSessions);
    await (await start(withSessions)).post('/login').expect(200); // the shared accessor and end are in place now
    await running?.close();
    const plain = express();
    plain.get('/plain', (req, res) => {
      res.setHeader('x-had-session', String(req.tokenSession !== undefined));
      res.end('plain');
    });
    const res = await (await start(plain)).get('/plain').expect(200);
    expect(res.text).toBe('plain');
    expect(res.headers['x-had-session']).toBe('false');
  });

  test('a mounted sub-app sees the session, and its changes are committed before its response', async () => {
    const app = express();
    app.use(expressTokenSession());
    const api = express();
    addRoutes(api);
    app.use('/api', api);
    addRoutes(app);
    const http = await start(app);
    const res = await http.post('/api/login').expect(200);
    expect(res.headers[HEADER]).toBe(res.body.token);
    const token = res.body.token as string;
    expect((await http.post('/api/count').set(HEADER, token).expect(200)).body).toEqual({ count: 1 });
    // Read through the parent app, and back in the sub-app: the change is there for both.
    expect((await http.get('/read').set(HEADER, token).expect(200)).body).toEqual({ count: 1 });
    expect((await http.get('/api/read').set(HEADER, token).expect(200)).body).toEqual({ count: 1 });
  });

  test('the middleware in a sub-app, the route in the parent app after it: the session still reaches the route and is committed', async () => {
    const app = express();
    const api = express();
    api.use(expressTokenSession());
    app.use('/api', api); // the sub-app has no routes: every request goes back to the parent
    const parent = express.Router();
    addRoutes(parent);
    app.use('/api', parent);
    const http = await start(app);
    const res = await http.post('/api/login').expect(200);
    expect(res.headers[HEADER]).toBe(res.body.token);
    expect((await http.post('/api/count').set(HEADER, res.body.token).expect(200)).body).toEqual({ count: 1 });
    expect((await http.get('/api/read').set(HEADER, res.body.token).expect(200)).body).toEqual({ count: 1 });
  });

  test('an end wrapped by a middleware before ours runs after the commit, so it sees the new token', async () => {
    const app = express();
    const headersAtItsEnd: unknown[] = [];
    app.use((req, res, next) => {
      const end = res.end;
      res.end = function loggedEnd(this: ServerResponse, ...args: unknown[]) {
        headersAtItsEnd.push(res.getHeader(HEADER));
        return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as typeof res.end;
      next();
    });
    app.use(expressTokenSession());
    addRoutes(app);
    const http = await start(app);
    const res = await http.post('/login').expect(200);
    expect(headersAtItsEnd).toEqual([res.body.token]);
    expect(res.headers[HEADER]).toBe(res.body.token);
  });

  test('an end wrapped by a middleware after ours, which ends later (as compression does), still waits for the commit', async () => {
    const sessions = new TokenSession<{ count: number }>();
    const app = express();
    app.use(expressTokenSession(sessions));
    app.use((req, res, next) => {
      const end = res.end;
      res.end = function laterEnd(this: ServerResponse, ...args: unknown[]) {
        setImmediate(() => (end as (...a: unknown[]) => ServerResponse).apply(this, args));
        return this;
      } as typeof res.end;
      next();
    });
    addRoutes(app);
    const http = await start(app);
    const res = await http.post('/login').expect(200);
    expect(res.headers[HEADER]).toBe(res.body.token);
    await http.post('/count').set(HEADER, res.body.token).expect(200);
    expect((await sessions.get(res.body.token))?.count).toBe(1);
  });

  test('a custom genid gets the request', async () => {
    const app = express();
    app.use(expressTokenSession({ genid: tenantToken }));
    app.post('/login', (req, res) => res.json({ token: req.tokenSession.create({}) }));
    const http = await start(app);
    expect((await http.post('/login').set('x-tenant', 'acme').expect(200)).body.token).toMatch(/^tenant-acme-/);
  });

  test('two token-session middlewares on one app: each commits its own session', async () => {
    const first = new TokenSession();
    const second = new TokenSession();
    const app = express();
    app.use(expressTokenSession({ sessions: first, header: 'x-first', responseHeader: 'x-first' }));
    app.use((req, _res, next) => {
      (req as unknown as { firstSession: unknown }).firstSession = req.tokenSession;
      next();
    });
    app.use(expressTokenSession({ sessions: second, header: 'x-second', responseHeader: 'x-second' }));
    app.post('/login-both', (req, res) => {
      const firstToken = (req as unknown as { firstSession: TokenSessionHandle<any> }).firstSession.create({ who: 'first' });
      res.json({ firstToken, secondToken: req.tokenSession.create({ who: 'second' }) });
    });
    const http = await start(app);
    const res = await http.post('/login-both').expect(200);
    expect(res.headers['x-first']).toBe(res.body.firstToken);
    expect(res.headers['x-second']).toBe(res.body.secondToken);
    expect(await first.get(res.body.firstToken)).toEqual({ who: 'first' });
    expect(await second.get(res.body.secondToken)).toEqual({ who: 'second' });
  });
});

test('plain Node http: the handle is the request\'s own property, and a custom genid gets the request', async () => {
  const middleware = nodeMiddleware({ genid: tenantToken });
  const http = await start((req, res) => middleware(req, res, () => {
    const handle = (req as unknown as { tokenSession: TokenSessionHandle }).tokenSession;
    res.end(JSON.stringify({ token: handle.create({}), own: Object.hasOwn(req, 'tokenSession') }));
  }));
  const res = await http.post('/login').set('x-tenant', 'acme').expect(200);
  expect(JSON.parse(res.text)).toEqual({ token: expect.stringMatching(/^tenant-acme-/), own: true });
  expect(res.headers[HEADER]).toBe(JSON.parse(res.text).token);
});
