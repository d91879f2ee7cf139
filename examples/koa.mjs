// Koa: the same API as examples/express.mjs.
import Koa from 'koa';
import { koaTokenSession } from 'token-session/koa';
import { usage } from './usage.mjs';

const app = new Koa();
const sessions = koaTokenSession({ ttl: 30 * 60 });
app.use(sessions);

const routes = {
  'POST /login': (ctx) => ({ token: ctx.tokenSession.create({ user: String(ctx.query.user ?? 'guest'), count: 0 }) }),
  'GET /me': (ctx) => ctx.tokenSession.data,
  'POST /count': (ctx) => ({ count: (ctx.tokenSession.data.count += 1) }),
  'POST /logout': (ctx) => (ctx.tokenSession.destroy(), { ok: true }),
};

app.use(async (ctx, next) => {
  const route = routes[`${ctx.method} ${ctx.path}`];
  if (!route) return next();
  const run = async () => { ctx.body = route(ctx); };
  // Every route but /login needs a session.
  return ctx.path === '/login' ? run() : sessions.requireSession(ctx, run);
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => usage('Koa', server.address().port));
