// `npm run bench:stores` (and the end of `npm run bench`): token-session on its own stores and on
// connect-redis / connect-pg-simple, express-session and @fastify/session on those, on a real
// redis-server and a real PostgreSQL started for the run; writes bench/stores.json, then BENCHMARKS.md.
// Servers pinned to core 0; autocannon, Redis and PostgreSQL share core 1.
// Env: BENCH_ROUNDS (default 3), BENCH_DURATION (s, default 3), BENCH_WARMUP (s, default 2);
//      BENCH_STORES=redis,pg and BENCH_VARIANTS=ts-own-express,... run only those and write no file;
//      BENCH_NODE_REDIS_TIMEOUT=0 turns node-redis' own command timeout off for every variant (a partial run too).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { credentials } from './credentials.mjs';
import { bundleTestHelpers, canPin, makePgTables, runOnLoadCore, startBenchServer } from './helpers.mjs';

runOnLoadCore();
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const WARM_UP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = 20;
// bare-*: the framework with no session at all, the ceiling of every other row.
const ALL_VARIANTS = ['bare-express', 'ts-own-express', 'ts-generic-express', 'peer-express', 'bare-fastify', 'ts-own-fastify', 'peer-fastify'];
const only = (name) => process.env[name]?.split(',');
const STORE_VARIANTS = only('BENCH_VARIANTS') ?? ALL_VARIANTS;
const PATHS = ['read', 'write'];
const startServer = (backend, variant, env) => startBenchServer([here('./store-server.mjs'), backend, variant], `${backend}/${variant}`, { ...process.env, ...env });

const load = (url, headers, duration) => autocannon({ url, headers, connections: CONNECTIONS, duration });

/** Round trips per request, counted over requests sent one at a time (under load, requests share event-loop turns). */
async function roundTripsOf(server, path, requests = 50) {
  const before = (await server.ask()).roundTrips;
  for (let i = 0; i < requests; i += 1) await (await fetch(`http://127.0.0.1:${server.port}/${path}`, { headers: server.headers })).arrayBuffer();
  return ((await server.ask()).roundTrips - before) / requests;
}

async function measure(server, path) {
  const before = await server.ask();
  const result = await load(`http://127.0.0.1:${server.port}/${path}`, server.headers, DURATION);
  const after = await server.ask();
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${server.name}/${path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const requests = result.requests.total;
  return {
    rps: requests / result.duration, // the window autocannon measured, which can outlast DURATION
    p99: result.latency.p99,
    cpuUs: (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / requests,
    roundTrips: await roundTripsOf(server, path),
  };
}

const helpers = await bundleTestHelpers();
const { startRedis, startPostgres } = await import(helpers);
const started = Date.now();
const redis = await startRedis();
const postgres = await startPostgres();
const table = 'bench_sessions';
const samples = {};
try {
  await makePgTables(postgres.url, table);
  const backends = { redis: { REDIS_URL: redis.url }, pg: { PG_URL: postgres.url, PG_TABLE: table } };
  for (const [backend, env] of Object.entries(backends).filter(([name]) => only('BENCH_STORES')?.includes(name) ?? true)) {
    const servers = [];
    try {
      for (const variant of STORE_VARIANTS) {
        const server = await startServer(backend, variant, { ...env, HELPERS: helpers });
        server.name = `${backend}/${variant}`;
        server.headers = await credentials(server.port, variant.startsWith('bare') ? 'bare' : variant);
        for (const path of PATHS) await load(`http://127.0.0.1:${server.port}/${path}`, server.headers, WARM_UP);
        servers.push(server);
      }
      // Rounds as in bench/run.mjs: every window of a round within seconds of the others, in a rotating order.
      const windows = servers.flatMap((server) => PATHS.map((path) => ({ server, path })));
      for (let round = 0; round < ROUNDS; round += 1) {
        for (let i = 0; i < windows.length; i += 1) {
          const { server, path } = windows[(i + round) % windows.length];
          const sample = await measure(server, path);
          (samples[`${server.name}/${path}`] ??= []).push(sample);
          console.log(`round ${round + 1}/${ROUNDS} ${server.name}/${path}: ${Math.round(sample.rps)} req/s, ${sample.cpuUs.toFixed(0)} µs CPU/req, p99 ${sample.p99} ms, ${sample.roundTrips.toFixed(2)} round trips/request`);
        }
      }
    } finally {
      for (const server of servers) server.stop();
    }
  }
} finally {
  await redis.stop();
  await postgres.stop();
}

if (only('BENCH_STORES') || only('BENCH_VARIANTS') || process.env.BENCH_NODE_REDIS_TIMEOUT !== undefined) process.exit(0); // a partial run: the log above is its result

const settings = { rounds: ROUNDS, duration: DURATION, warmUp: WARM_UP, connections: CONNECTIONS, pinned: canPin, seconds: (Date.now() - started) / 1000, node: process.version };
writeFileSync(here('./stores.json'), `${JSON.stringify({ settings, samples }, null, 1)}\n`);
execFileSync(process.execPath, [here('./report.mjs')], { stdio: 'inherit' });
