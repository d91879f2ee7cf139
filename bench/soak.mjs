// `npm run soak`: a bounded soak run, not part of `npm test`. SOAK_SESSIONS sessions (default
// 10,000) with a SOAK_TTL-second TTL (default 30) take SOAK_REQUESTS requests in all (default
// 200,000: the logins, then reads and writes of random sessions, 64 at a time). Then nothing
// happens until the sessions have expired. Passes (exit 0) when no request failed, the default
// store holds no session any more, and the server's heap is back within 10 MB of where it began.
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 10_000);
const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 200_000);
const TTL = Number(process.env.SOAK_TTL ?? 30);
const IN_FLIGHT = 64;
const MB = 2 ** 20;

const server = fork(fileURLToPath(new URL('./soak-server.mjs', import.meta.url)), [String(TTL)], { execArgv: ['--expose-gc'] });
const ask = () => new Promise((resolve) => {
  server.once('message', resolve);
  server.send('memory');
});
const { port } = await new Promise((resolve) => server.once('message', resolve));
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
const failures = new Map(); // status or error -> count

function send(method, path, token) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: token ? { 'x-session-token': token } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) failures.set(res.statusCode, (failures.get(res.statusCode) ?? 0) + 1);
        resolve(res.statusCode === 200 ? JSON.parse(body) : null);
      });
    });
    req.on('error', (err) => {
      failures.set(err.code, (failures.get(err.code) ?? 0) + 1);
      resolve(null);
    });
    req.end();
  });
}

async function inLanes(count, one) {
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < count) await one(next++);
  }));
}

const start = await ask();
console.log(`start: heap ${(start.heapUsed / MB).toFixed(1)} MB, ${start.sessionsHeld} sessions held`);
const began = Date.now();
const tokens = [];
await inLanes(SESSIONS, async () => tokens.push((await send('POST', '/login'))?.token));
await inLanes(REQUESTS - SESSIONS, async (i) => {
  const token = tokens[Math.floor(Math.random() * tokens.length)];
  await send('GET', i % 2 ? '/read' : '/write', token);
});
const seconds = (Date.now() - began) / 1000;
const loaded = await ask();
console.log(`${REQUESTS} requests in ${seconds.toFixed(1)} s (${Math.round(REQUESTS / seconds)} req/s); heap ${(loaded.heapUsed / MB).toFixed(1)} MB, ${loaded.sessionsHeld} sessions held`);

// Every session has expired TTL seconds after its last request; the store sweeps at most TTL seconds later.
const waitSeconds = 2 * TTL + 5;
console.log(`waiting ${waitSeconds} s for the sessions to expire and be swept...`);
await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
const end = await ask();
console.log(`end: heap ${(end.heapUsed / MB).toFixed(1)} MB, ${end.sessionsHeld} sessions held`);
agent.destroy();
server.disconnect();

const grewMb = (end.heapUsed - start.heapUsed) / MB;
const problems = [
  ...[...failures].map(([status, count]) => `${count} requests failed (${status})`),
  ...(end.sessionsHeld > 0 ? [`${end.sessionsHeld} sessions still held after they expired`] : []),
  ...(grewMb > 10 ? [`heap ${grewMb.toFixed(1)} MB above its start`] : []),
];
console.log(problems.length ? `FAILED: ${problems.join('; ')}` : `passed: no errors, no session left, heap ${grewMb >= 0 ? '+' : ''}${grewMb.toFixed(1)} MB from its start`);
process.exitCode = problems.length ? 1 : 0;
