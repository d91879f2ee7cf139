// Engine micro-benchmark, one measurement per process (run by bench/run.mjs):
//   node bench/micro.mjs ops   -> ops/s of engine get/getNotTouch/set against the raw store's own get/set
//   node --expose-gc bench/micro.mjs heap engine|raw -> heap bytes per session for 100k sessions
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import sessionMemoryStore from 'session-memory-store';
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

const [mode, kind] = process.argv.slice(2);
const result = mode === 'ops' ? await ops() : await heap(kind);
process.stdout.write(JSON.stringify(result));
process.exit(0);
