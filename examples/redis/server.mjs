// Several processes, one Redis: sessions in connect-redis, owner sets and one-time claims in
// redisIndex, so any process can read, change or end a session made by any other.
//   REDIS_URL=redis://127.0.0.1:6379 PORT=3001 node examples/redis/server.mjs
//   REDIS_URL=redis://127.0.0.1:6379 PORT=3002 node examples/redis/server.mjs
import express from 'express';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { redisIndex, TokenSession } from 'token-session';
import { expressTokenSession } from 'token-session/express';
import { addSessionRoutes, jsonErrors } from '../session-routes.mjs';

const client = createClient({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  // While Redis is down, fail store calls at once (503) instead of queueing them until it is back.
  disableOfflineQueue: true,
});
// The client reconnects by itself; without a listener its 'error' event would end the process.
client.on('error', (err) => console.error(`redis: ${err.message}`));
await client.connect();
const prefix = process.env.REDIS_PREFIX ?? 'token-session-example:';

const sessions = new TokenSession({
  store: new RedisStore({ client, prefix: `${prefix}sess:` }),
  index: redisIndex(client, { prefix }),
  ownerKey: 'user', // list / destroyAll by the data's `user` field
  ttl: 30 * 60,
});
const middleware = expressTokenSession({ sessions });

const app = express();
app.use(middleware);
const requireSession = middleware.requireSession;

addSessionRoutes(app, sessions, requireSession);

// One-time codes (an emailed link): usable once, from any process.
app.post('/once', requireSession, async (req, res, next) => {
  try {
    res.json({ code: await sessions.newOnce({ user: req.tokenSession.data.user, purpose: 'verify-email' }, 15 * 60) });
  } catch (err) {
    next(err);
  }
});
app.post('/consume', async (req, res, next) => {
  try {
    const data = await sessions.consume(String(req.query.code ?? ''));
    if (data) res.json(data);
    else res.status(410).json({ error: 'this code was already used, or has expired' });
  } catch (err) {
    next(err);
  }
});

jsonErrors(app);

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`token-session Redis example (pid ${process.pid}) listening on http://127.0.0.1:${server.address().port}`);
});
