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

// Sign-in, counter, sessions on every device, log out everywhere, one-time links: from any process.
addSessionRoutes(app, sessions, requireSession);

jsonErrors(app);

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`token-session Redis example (pid ${process.pid}) listening on http://127.0.0.1:${server.address().port}`);
});
