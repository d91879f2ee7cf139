// Hono: the same API as examples/express.mjs, one app that each of these runs: examples/hono.mjs (Node), bun.mjs, deno.mjs, worker.mjs (Cloudflare's workerd).
import { Hono } from 'hono';
import { honoTokenSession } from 'token-session/hono';

// Made at module scope, as apps are: making it starts no timer and draws no token, which workerd requires.
const sessions = honoTokenSession({ ttl: 30 * 60 });

export const app = new Hono()
  .use(sessions)
  .post('/login', (c) => c.json({ token: c.get('tokenSession').create({ user: c.req.query('user') ?? 'guest', count: 0 }) }))
  // Every route but /login needs a session.
  .get('/me', sessions.requireSession, (c) => c.json(c.get('tokenSession').data))
  .post('/count', sessions.requireSession, (c) => c.json({ count: (c.get('tokenSession').data.count += 1) }))
  .post('/logout', sessions.requireSession, (c) => {
    c.get('tokenSession').destroy();
    return c.json({ ok: true });
  });
