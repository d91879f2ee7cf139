// `npm run bench:instructions`: machine instructions per request, counted by valgrind's callgrind.
// A count does not depend on what else the machine is doing, so it can tell apart differences of a
// few microseconds that the timed run (bench/run.mjs) loses in the noise of a shared machine.
// Each server variant runs under callgrind; after a warm-up, the counters are zeroed, a fixed number
// of requests is sent, and the counters are dumped: user-space instructions of all the server's
// threads (JIT, GC) divided by the requests. Kernel time (the socket syscalls) is not counted.
// Env: INSTR_REQUESTS per measurement (default 10000), INSTR_ROUNDS (default 2), INSTR_WARMUP
//      requests before counting (default 20000: V8 keeps optimising for longer than that takes under valgrind),
//      INSTR_FRAMEWORKS (default node and every framework of bench/apps.mjs; a list given here is counted
//      and merged into bench/instructions.json, the others' counts kept), INSTR_JOBS servers at once (default 2).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FRAMEWORKS } from './apps.mjs';
import { credentials } from './credentials.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const REQUESTS = Number(process.env.INSTR_REQUESTS ?? 10000);
const ROUNDS = Number(process.env.INSTR_ROUNDS ?? 2);
const WARM_UP = Number(process.env.INSTR_WARMUP ?? 20000);
const JOBS = Number(process.env.INSTR_JOBS ?? 2);
const IN_FLIGHT = 10;
const frameworks = (process.env.INSTR_FRAMEWORKS ?? ['node', ...FRAMEWORKS].join(',')).split(',');
const VARIANTS = (process.env.INSTR_VARIANTS ?? 'bare,noop,ts-read,ts-write,peer-read,peer-write').split(',');

try {
  execFileSync('valgrind', ['--version']);
} catch {
  console.error('bench:instructions needs valgrind (Debian package valgrind)');
  process.exit(1);
}

/** Starts one server under callgrind, counting nothing until asked to. */
function startCounted(framework, variant, dir) {
  const child = spawn('valgrind', [
    '--tool=callgrind', '--smc-check=all-non-file', '--instr-atstart=no',
    `--callgrind-out-file=${join(dir, 'out')}`,
    process.execPath, here('./server.mjs'), framework, variant,
  ], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const control = (...args) => execFileSync('callgrind_control', [...args, String(child.pid)], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ port, control, stop: () => stopped(child) }));
    child.once('exit', (code) => reject(new Error(`${framework}/${variant} exited with ${code}\n${log}`)));
  });
}

/** Kills a server and waits for valgrind to write its last dump, so its folder can go. */
const stopped = (child) => new Promise((resolve) => {
  child.once('exit', resolve);
  child.kill();
});

/** Sends `count` requests over keep-alive connections, IN_FLIGHT at a time. */
async function send(port, path, headers, count) {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const one = () => new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${path} answered ${res.statusCode}`));
      res.resume().on('end', resolve);
    }).on('error', reject).end();
  });
  let sent = 0;
  const lane = async () => {
    while (sent < count) {
      sent += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  agent.destroy();
}

const totalsOf = (dir, before) => {
  const dumps = readdirSync(dir).filter((file) => !before.includes(file));
  const text = readFileSync(join(dir, dumps[0]), 'utf8');
  return Number(/^totals:\s*(\d+)/m.exec(text)?.[1] ?? /^summary:\s*(\d+)/m.exec(text)[1]);
};

async function count(framework, variant) {
  const dir = mkdtempSync(join(tmpdir(), 'token-session-instr-'));
  const server = await startCounted(framework, variant, dir);
  try {
    const headers = await credentials(server.port, variant);
    const path = variant.endsWith('write') ? '/write' : '/read';
    await send(server.port, path, headers, WARM_UP); // JIT tiers, connections; uncounted, so faster
    const perRequest = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const before = readdirSync(dir);
      server.control('--zero');
      server.control('--instr=on');
      await send(server.port, path, headers, REQUESTS);
      server.control('--dump');
      server.control('--instr=off');
      perRequest.push(totalsOf(dir, before) / REQUESTS);
    }
    return perRequest;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const configs = frameworks.flatMap((f) => (f === 'node' ? [['node', 'bare']] : VARIANTS.map((v) => [f, v])));
const results = {};
const queue = [...configs];
const started = Date.now();
await Promise.all(Array.from({ length: JOBS }, async () => {
  for (let config = queue.shift(); config; config = queue.shift()) {
    const [framework, variant] = config;
    results[`${framework}/${variant}`] = await count(framework, variant);
    console.log(`${framework}/${variant}: ${results[`${framework}/${variant}`].map((n) => Math.round(n)).join(', ')} instructions/request`);
  }
}));
// A partial run (INSTR_FRAMEWORKS) adds its counts to the last run's: counts do not move with the machine's load.
const last = process.env.INSTR_FRAMEWORKS && existsSync(here('./instructions.json')) ? JSON.parse(readFileSync(here('./instructions.json'), 'utf8')) : { results: {}, seconds: 0 };
writeFileSync(here('./instructions.json'), `${JSON.stringify({
  requests: REQUESTS, rounds: ROUNDS, seconds: last.seconds + (Date.now() - started) / 1000, node: process.version, results: { ...last.results, ...results },
}, null, 2)}\n`);
