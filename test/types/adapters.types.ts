// Type tests of each adapter's augmentation: checked by `npm run typecheck`, never executed.
// SessionData is augmented in core.types.ts (userId?: string), which this program includes.
import express from 'express';
import Koa from 'koa';
import fastify from 'fastify';
import * as Hapi from '@hapi/hapi';
import { expressTokenSession } from '../../integrations/express';
import { koaTokenSession } from '../../integrations/koa';
import { tokenSessionPlugin } from '../../integrations/fastify';
import { hapiTokenSession } from '../../integrations/hapi';
import { TokenSession } from '../../src';

export function expressTypes(): void {
  const app = express();
  const sessions = expressTokenSession({ ttl: 60, header: 'authorization' });
  app.use(sessions);
  app.get('/me', sessions.requireSession, (req, res) => {
    const id: string | null = req.tokenSession.id;
    const userId: string | undefined = req.tokenSession.data.userId;
    // @ts-expect-error userId is a string
    req.tokenSession.data.userId = 1;
    // @ts-expect-error id is read-only
    req.tokenSession.id = 'x';
    // @ts-expect-error no such member
    req.tokenSession.commitNow();
    res.json({ id, userId });
  });
  // @ts-expect-error header must be a string
  expressTokenSession({ header: 1 });
  // @ts-expect-error the factory is not the middleware: app.use(expressTokenSession()) is
  app.use(expressTokenSession);
  // @ts-expect-error nor under a path
  app.use('/api', expressTokenSession);
  // @ts-expect-error nor on a router
  express.Router().use(expressTokenSession);
  // Every call that makes the middleware compiles: no options, options, an instance (as the seed API's `express` does), { sessions }.
  const engine = new TokenSession();
  app.use(expressTokenSession(), expressTokenSession({ ttl: 60 }), expressTokenSession(engine), expressTokenSession({ sessions: engine, required: true }));
  app.post('/password', sessions.required({ maxAuthAge: 60 }), (req, res) => {
    const signedIn: number | null = req.tokenSession.authenticatedAt;
    res.json({ token: req.tokenSession.reauthenticate(), signedIn });
  });
  // @ts-expect-error the option is maxAuthAge, in seconds
  sessions.required({ maxAge: 60 });
  // The handle's engine issues codes with data of their own, not the session's.
  app.post('/email-link', sessions.requireSession, async (req, res) => {
    const code: string = await req.tokenSession.sessions.newOnce({ userId: req.tokenSession.data.userId, purpose: 'verify-email' }, 900);
    res.json({ code });
  });
  app.get('/verify', async (req, res) => {
    const claim = await req.tokenSession.sessions.consume<{ userId: string; purpose: string }>(String(req.query['code']));
    const purpose: string | undefined = claim?.purpose;
    res.json({ purpose });
  });
}

export function koaTypes(): void {
  const app = new Koa();
  app.use(koaTokenSession({ query: 'token' }));
  app.use(koaTokenSession());
  // @ts-expect-error the factory is not the middleware: app.use(koaTokenSession()) is
  app.use(koaTokenSession);
  app.use(async (ctx) => {
    const token: string = ctx.tokenSession.create({ userId: 'u1' });
    // @ts-expect-error create takes the session's data type
    ctx.tokenSession.create({ userId: 2 });
    ctx.body = { token };
  });
}

export async function fastifyTypes(): Promise<void> {
  const app = fastify();
  await app.register(tokenSessionPlugin, { required: false });
  app.post('/password', { config: { tokenSession: { required: { maxAuthAge: 60 } } } }, async () => ({}));
  app.get('/me', { config: { tokenSession: { required: true } } }, async (request) => {
    const regenerated: string = request.tokenSession.regenerate();
    return { regenerated, user: request.tokenSession.data.userId };
  });
  // @ts-expect-error required is a boolean
  app.get('/bad', { config: { tokenSession: { required: 'yes' } } }, async () => ({}));
}

export async function hapiTypes(): Promise<void> {
  const server = Hapi.server();
  await server.register({ plugin: hapiTokenSession, options: { ttl: 30 } });
  server.route({
    method: 'GET',
    path: '/me',
    options: { plugins: { 'token-session': { required: true } } },
    handler: (request) => ({ user: request.tokenSession.data.userId, status: request.tokenSession.tokenStatus }),
  });
  server.route({
    method: 'GET',
    path: '/bad',
    // @ts-expect-error required is a boolean
    options: { plugins: { 'token-session': { required: 1 } } },
    handler: () => 'x',
  });
}
