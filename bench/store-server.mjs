// One benchmark server on a real store, in its own process (pinned to a core by bench/stores.mjs).
//   node bench/store-server.mjs <redis|pg> <variant>   (REDIS_URL or PG_URL, PG_TABLE, HELPERS)
// Variants: bare-<framework> (no session), ts-own-<framework> (token-session on redisStore / pgStore), ts-generic-express
// (token-session on connect-redis / connect-pg-simple), peer-express (express-session) and
// peer-fastify (@fastify/session), both on connect-redis / connect-pg-simple. Over IPC it answers
// { port } when listening, and on 'stats' its CPU time and the store's round trips so far.
import { RedisStore } from 'connect-redis';
import connectPgSimple from 'connect-pg-simple';
import expressSession from 'express-session';
import pg from 'pg';
import { createClient } from 'redis';
import { TokenSession } from 'token-session';
import { pgStore } from 'token-session/pg';
import { redisStore } from 'token-session/redis';
import { startApp } from './apps.mjs';

const [backend, variant] = process.argv.slice(2);
const { countingRoundTrips } = await import(process.env.HELPERS);

async function connect() {
  if (backend === 'redis') {
    // BENCH_NODE_REDIS_TIMEOUT: node-redis' own command timeout for every variant (its default, 5 s, when unset).
    const timeout = process.env.BENCH_NODE_REDIS_TIMEOUT;
    const client = createClient({ url: process.env.REDIS_URL, ...(timeout !== undefined && { commandOptions: { timeout: Number(timeout) } }) });
    await client.connect();
    return client;
  }
  return new pg.Pool({ connectionString: process.env.PG_URL, max: 10 });
}

const counted = countingRoundTrips(await connect());
const own = variant.startsWith('ts-own');
const table = `${process.env.PG_TABLE}_${own ? 'own' : 'generic'}`;
const store = backend === 'redis'
  ? own ? redisStore({ client: counted.client, prefix: `bench:${variant}:` }) : new RedisStore({ client: counted.client, prefix: `bench:${variant}:` })
  : own ? pgStore({ pool: counted.client, table }) : new (connectPgSimple(expressSession))({ pool: counted.client, tableName: table, pruneSessionInterval: false });
const framework = variant.split('-').at(-1);
const kind = variant.startsWith('bare') ? 'bare' : variant.startsWith('ts-') ? 'ts-write' : 'peer-write';
const port = await startApp(framework, kind, new TokenSession({ store, ttl: 3600 }), store);
process.send({ port });
process.on('message', (message) => {
  if (message === 'stats') process.send({ cpu: process.cpuUsage(), roundTrips: counted.roundTrips() });
});
process.on('disconnect', () => process.exit(0));
