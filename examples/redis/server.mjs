// Several processes, one Redis: sessions in connect-redis, owner sets and one-time claims in
// redisIndex, so any process can read, change or end a session made by any other.
//   REDIS_URL=redis://127.0.0.1:6379 PORT=3001 node examples/redis/server.mjs
//   REDIS_URL=redis://127.0.0.1:6379 PORT=3002 node examples/redis/server.mjs
// On a Redis Cluster, name its nodes; with Sentinel, the sentinels and the master's name:
//   REDIS_CLUSTER_NODES=redis://127.0.0.1:7000,redis://127.0.0.1:7001 node examples/redis/server.mjs
//   REDIS_SENTINELS=127.0.0.1:26379,127.0.0.1:26380 REDIS_SENTINEL_NAME=mymaster node examples/redis/server.mjs
import express from 'express';
import { RedisStore } from 'connect-redis';
import { createClient, createCluster, createSentinel } from 'redis';
import { redisIndex, TokenSession } from 'token-session';
import { expressTokenSession } from 'token-session/express';
import { addSessionRoutes, jsonErrors } from '../session-routes.mjs';

// While Redis is down, fail store calls at once (503) instead of queueing them until it is back.
const clientOptions = { disableOfflineQueue: true };
const hostAndPort = (address) => {
  const { hostname, port } = new URL(address.includes('://') ? address : `redis://${address}`);
  return { host: hostname, port: Number(port) };
};
const list = (value) => value.split(',').map((item) => item.trim()).filter(Boolean);

function connectTo(env) {
  if (env.REDIS_CLUSTER_NODES) {
    return createCluster({ rootNodes: list(env.REDIS_CLUSTER_NODES).map((url) => ({ url })), defaults: clientOptions });
  }
  if (env.REDIS_SENTINELS) {
    return createSentinel({ name: env.REDIS_SENTINEL_NAME ?? 'mymaster', sentinelRootNodes: list(env.REDIS_SENTINELS).map(hostAndPort), nodeClientOptions: clientOptions });
  }
  return createClient({ url: env.REDIS_URL ?? 'redis://127.0.0.1:6379', ...clientOptions });
}

const client = connectTo(process.env);
// The client reconnects by itself; without a listener its 'error' event would end the process.
client.on('error', (err) => console.error(`redis: ${err.message}`));
await client.connect();
const prefix = process.env.REDIS_PREFIX ?? 'token-session-example:';

const sessions = new TokenSession({
  store: new RedisStore({ client, prefix: `${prefix}sess:` }),
  index: redisIndex(client, { prefix }),
  ownerKey: 'user', // list / destroyAll by the data's `user` field
  ttl: 30 * 60,
  // Redis answers in well under a millisecond: a call still unanswered after 1 s (a failover
  // under way) fails the request with a 503 instead of holding it for the 5 s default.
  storeTimeout: 1000,
});
const middleware = expressTokenSession({ sessions });

const app = express();
app.use(middleware);

// Sign-in, counter, sessions on every device, log out everywhere, one-time links: from any process.
addSessionRoutes(app, sessions, middleware);

jsonErrors(app);

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`token-session Redis example (pid ${process.pid}) listening on http://127.0.0.1:${server.address().port}`);
});
