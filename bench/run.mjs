// `npm run bench`: every server variant on every framework, interleaved and repeated, in one
// run; then the engine micro-benchmark; then BENCHMARKS.md and bench/ratios.svg.
// Servers run pinned to core 0, this process (the load generator, autocannon) to core 1.
// Env: BENCH_ROUNDS (default 3), BENCH_DURATION seconds per measurement window (default 3),
//      BENCH_WARMUP seconds of load on each server before its first window (default 2),
//      BENCH_FRAMEWORKS (default express,fastify,koa,hapi).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FRAMEWORKS, PEERS } from './apps.mjs';
import { credentials } from './credentials.mjs';
import { canPin, runOnLoadCore, startBenchServer } from './helpers.mjs';
import { writeReport } from './report.mjs';

runOnLoadCore();
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 3);
// At Express's 6,000 req/s, one second leaves V8 still compiling the hot paths, which costs the
// variant with more code more.
const WARM_UP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = 50;
const frameworks = (process.env.BENCH_FRAMEWORKS ?? FRAMEWORKS.join(',')).split(',');
const VARIANTS = ['bare', 'noop', 'ts-read', 'ts-write', 'peer-read', 'peer-write'];
const startServer = (framework, variant) => startBenchServer([here('./server.mjs'), framework, variant], `${framework}/${variant}`);

const load = (url, headers, duration) =>
  autocannon({ url, headers, connections: CONNECTIONS, duration });

/** A server started, logged in and warmed up, ready for measurement windows. */
async function ready(framework, variant) {
  const server = await startServer(framework, variant);
  const headers = await credentials(server.port, variant);
  const url = `http://127.0.0.1:${server.port}/${variant.endsWith('write') ? 'write' : 'read'}`;
  await load(url, headers, WARM_UP); // JIT, connections, caches
  return { ...server, framework, variant, headers, url };
}

/** One measurement window on a running server. */
async function measure({ framework, variant, headers, url, ask }) {
  const before = await ask();
  const result = await load(url, headers, DURATION);
  const after = await ask();
  const requests = result.requests.total;
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${framework}/${variant}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  const per = (name) => (after.calls[name] - before.calls[name]) / requests;
  return {
    rps: requests / result.duration, // the window autocannon measured, which can outlast DURATION
    p99: result.latency.p99,
    cpuUs: cpu / requests,
    calls: variant.startsWith('ts-') ? { get: per('get'), set: per('set'), destroy: per('destroy') } : undefined,
  };
}

function micro(args) {
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
}

// One framework at a time, all its servers running side by side (idle ones cost nothing). Each
// round gives every server one window, in an order that rotates, so the windows compared within
// a round are seconds apart: a shared machine's load drifts over minutes, and the paired
// differences ("CPU added") see little of it.
const groups = [[['node', 'bare']], ...frameworks.map((f) => VARIANTS.map((v) => [f, v]))];
const samples = new Map(groups.flat().map(([f, v]) => [`${f}/${v}`, []]));
const started = Date.now();
for (const group of groups) {
  const servers = [];
  try {
    for (const [framework, variant] of group) servers.push(await ready(framework, variant));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < servers.length; i += 1) {
        const server = servers[(i + round) % servers.length];
        const sample = await measure(server);
        samples.get(`${server.framework}/${server.variant}`).push(sample);
        console.log(`round ${round + 1}/${ROUNDS} ${server.framework}/${server.variant}: ${Math.round(sample.rps)} req/s, ${sample.cpuUs.toFixed(1)} µs CPU/req, p99 ${sample.p99} ms`);
      }
    }
  } finally {
    for (const server of servers) server.stop();
  }
}

const microSamples = [];
for (let round = 0; round < ROUNDS; round += 1) {
  microSamples.push({
    ops: micro([here('./micro.mjs'), 'ops']),
    platform: micro([here('./micro.mjs'), 'platform']),
    heapEngine: micro(['--expose-gc', here('./micro.mjs'), 'heap', 'engine']).bytesPerSession,
    heapRaw: micro(['--expose-gc', here('./micro.mjs'), 'heap', 'raw']).bytesPerSession,
  });
}

writeReport({
  samples,
  microSamples,
  frameworks,
  peers: PEERS,
  settings: { rounds: ROUNDS, duration: DURATION, warmUp: WARM_UP, connections: CONNECTIONS, pinned: canPin, seconds: (Date.now() - started) / 1000 },
});
