// Engine micro-benchmark, one measurement per process (run by bench/run.mjs):
//   node bench/micro.mjs ops   -> ops/s of engine get/getNotTouch/set against the raw store's own get/set
//   node --expose-gc bench/micro.mjs heap engine|raw -> heap bytes per session for 100k sessions
//   node bench/micro.mjs platform -> ops/s of Node's SHA-256 and tokens against the web path's (src/core/platform.ts)
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import sessionMemoryStore from 'session-memory-store';
import { createRequire } from 'node:module';
import { hash } from 'node:crypto';
import uid from 'uid-safe';
import { TokenSession } from 'token-session';

// A typical small session: who, what they may do, a counter.
const DATA = { userId: 'user-0123456789', roles: ['reader', 'writer'], csrf: 'Qk3Yl0wv7cXw2aV1', count: 0 };
const RawStore = sessionMemoryStore(TokenSession);

async function opsPerSecond(op, ms = 1500) {
  for (let i = 0; i < 2000; i += 1) await op(i); // warm-up
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < 500; i += 1) await op(count + i);
    count += 500;
  }
  return (count / (performance.now() - started)) * 1000;
}

async function ops() {
  const raw = new RawStore();
  const rawGet = promisify(raw.get.bind(raw));
  const rawSet = promisify(raw.set.bind(raw));
  const rawKey = randomBytes(32).toString('base64url');
  await rawSet(rawKey, { cookie: {}, ...DATA });

  const sessions = new TokenSession();
  const { sid } = await sessions.new(DATA);
  const results = {
    'raw store get': await opsPerSecond(() => rawGet(rawKey)),
    'engine get': await opsPerSecond(() => sessions.get(sid)),
    'engine getNotTouch': await opsPerSecond(() => sessions.getNotTouch(sid)),
    'raw store set': await opsPerSecond((i) => rawSet(rawKey, { cookie: {}, ...DATA, count: i })),
    'engine set': await opsPerSecond((i) => sessions.set(sid, { ...DATA, count: i })),
  };
  raw.store.close();
  sessions.store.store.close();
  return results;
}

async function heap(kind) {
  const N = 100_000;
  const keep = [];
  const settle = () => {
    for (let i = 0; i < 3; i += 1) global.gc();
    return process.memoryUsage().heapUsed;
  };
  // Each session's data is its own, as if parsed from its own request: no strings shared between sessions.
  const dataOf = (i) => JSON.parse(JSON.stringify({ ...DATA, count: i }));
  let add;
  if (kind === 'raw') {
    const raw = new RawStore();
    keep.push(raw);
    // The raw store keeps the same data under a key of the same length as ours (43 characters).
    add = (i) => raw.set(randomBytes(32).toString('base64url'), dataOf(i), () => undefined);
  } else {
    const sessions = new TokenSession();
    keep.push(sessions);
    add = (i) => sessions.new(dataOf(i));
  }
  // Tokens are generated either way; they are kept by neither (the client holds them).
  const before = settle();
  for (let i = 0; i < N; i += 1) await add(i);
  const after = settle();
  return { bytesPerSession: (after - before) / N, kept: keep.length };
}

/** What each platform does per request (a token's SHA-256) and per new session (a token), Node's built-ins against the web's. */
async function platform() {
  // The web path's own module, from the build: no package entry exports it.
  const { base64url, sha256Base64url } = createRequire(import.meta.url)('../dist/src/core/sha256.js');
  const token = uid.sync(32);
  return {
    'Node sha256': await opsPerSecond(() => hash('sha256', token, 'base64url')),
    'web sha256': await opsPerSecond(() => sha256Base64url(token)),
    'Node token': await opsPerSecond(() => uid.sync(32)),
    'web token': await opsPerSecond(() => base64url(crypto.getRandomValues(new Uint8Array(32)))),
  };
}

const [mode, kind] = process.argv.slice(2);
const result = mode === 'ops' ? await ops() : mode === 'platform' ? await platform() : await heap(kind);
process.stdout.write(JSON.stringify(result));
process.exit(0);
