// TTLs: per session, absolute, touchAfter, seen in the stores' own data.
import { promisify } from 'node:util';
import { TokenSession, type ExpressSessionStore } from '../../src';
import { countCalls } from '../helpers/fake-stores';
import { IN_PROCESS_STORES } from '../helpers/real-stores';
import { storeKeyOfToken } from '../helpers/store-keys';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The store key of a token, computed here independently of the engine: SHA-256, base64url. */

/** Reads a key straight from the store, bypassing the engine and its own expiry check. */
function rawGet(store: ExpressSessionStore, key: string): Promise<unknown> {
  return promisify(store.get.bind(store))(key);
}

describe.each(IN_PROCESS_STORES)('TTLs on $name', (backend) => {
  let store: ExpressSessionStore;
  afterEach(() => backend.close(store));

  test('newWttl(data, 1) is gone after ~1 s while a longer-lived session on the same store lives', async () => {
    store = backend.make();
    const sessions = new TokenSession({ store, ttl: 60 });
    const short = await sessions.newWttl({ kind: 'short' }, 1);
    const long = await sessions.new({ kind: 'long' });
    expect(await sessions.getNotTouch(short.sid)).toEqual({ kind: 'short' });

    await sleep(1300);

    // The store itself has let go of the short one (asked first: an engine read would drop it).
    expect(await rawGet(store, storeKeyOfToken(short.sid))).toBeFalsy();
    expect(await rawGet(store, storeKeyOfToken(long.sid))).toBeTruthy();
    expect(await sessions.getNotTouch(short.sid)).toBeNull();
    expect(await sessions.getNotTouch(long.sid)).toEqual({ kind: 'long' });
  });

  test('the record carries its own expiry, recomputed on every touch', async () => {
    store = backend.make();
    const sessions = new TokenSession({ store, ttl: 60, touchAfter: 0 });
    const { sid } = await sessions.newWttl({}, 30);
    const first = (await rawGet(store, storeKeyOfToken(sid))) as { cookie: { expires: Date | string; originalMaxAge: number } };
    // A Date in a store that keeps the object, an ISO string in one that keeps its JSON.
    const expiry = (record: typeof first) => new Date(record.cookie.expires).getTime();
    expect(first.cookie.originalMaxAge).toBe(30_000);
    expect(expiry(first) - Date.now()).toBeGreaterThan(29_000);

    await sleep(50);
    await sessions.touch(sid);
    const touched = (await rawGet(store, storeKeyOfToken(sid))) as typeof first;
    expect(expiry(touched)).toBeGreaterThan(expiry(first));
    expect(touched.cookie.originalMaxAge).toBe(30_000);
  });

  test('absoluteTtl ends a session that keeps being touched', async () => {
    store = backend.make();
    const sessions = new TokenSession({ store, ttl: 1, absoluteTtl: 1.5, touchAfter: 0 });
    const { sid } = await sessions.new({ a: 1 });
    for (let i = 0; i < 4; i += 1) {
      await sleep(300);
      expect(await sessions.get(sid)).toEqual({ a: 1 });
    }
    // 1.2 s in, touched every 300 ms: the idle TTL alone would keep it alive for good.
    await sleep(450);
    expect(await sessions.get(sid)).toBeNull();
    expect(await sessions.touch(sid)).toBe(false);
  });

  test('an idle session ends at its TTL even though the store keeps it longer', async () => {
    store = backend.make();
    // Writes a record that the store thinks lives for an hour, but whose session TTL is 1 s.
    const sessions = new TokenSession({
      store,
      ttl: 1,
      hackttl: (record) => ({ ...record, cookie: { ...record.cookie, maxAge: 3_600_000, expires: record.cookie.expires } }),
    });
    const { sid } = await sessions.new({});
    await sleep(1100);
    expect(await sessions.get(sid)).toBeNull();
  });
});

describe('touchAfter', () => {
  test('reads within touchAfter write nothing; a read after it writes once', async () => {
    const backend = IN_PROCESS_STORES[0]!;
    const store = backend.make();
    const counts = countCalls(store);
    const sessions = new TokenSession({ store, ttl: 60, touchAfter: 0.4 });
    const { sid } = await sessions.new({});
    expect(counts.set).toBe(1);

    for (let i = 0; i < 5; i += 1) await sessions.get(sid);
    expect(counts).toMatchObject({ get: 5, set: 1 });

    await sleep(450);
    await sessions.get(sid);
    await sessions.get(sid);
    expect(counts).toMatchObject({ get: 7, set: 2 });
    backend.close(store);
  });

  test('getNotTouch never writes, and autoTouch: false makes get not write either', async () => {
    const backend = IN_PROCESS_STORES[0]!;
    const store = backend.make();
    const counts = countCalls(store);
    const sessions = new TokenSession({ store, touchAfter: 0, autoTouch: false });
    const { sid } = await sessions.new({});
    await sleep(5);
    await sessions.get(sid);
    await sessions.getNotTouch(sid);
    expect(counts.set).toBe(1);
    await sessions.getAndTouch(sid);
    expect(counts.set).toBe(2);
    backend.close(store);
  });

  test('defaults to min(60, ttl / 2) seconds', async () => {
    const backend = IN_PROCESS_STORES[0]!;
    const store = backend.make();
    const counts = countCalls(store);
    const sessions = new TokenSession({ store, ttl: 0.2 });
    const { sid } = await sessions.new({});
    await sessions.get(sid);
    expect(counts.set).toBe(1);
    await sleep(120);
    expect(await sessions.get(sid)).toEqual({});
    expect(counts.set).toBe(2);
    backend.close(store);
  });
});

describe('a session whose own TTL is shorter than the default touchAfter (60 s)', () => {
  test('newWttl(data, 2) touched every second, by touch() or getAndTouch(), outlives 4 s; an untouched one does not', async () => {
    const sessions = new TokenSession(); // default options: ttl 3600, so touchAfter would be 60 s if it were not per session
    const counts = countCalls(sessions.store);
    const [touched, read, untouched] = await Promise.all([sessions.newWttl({ n: 1 }, 2), sessions.newWttl({ n: 2 }, 2), sessions.newWttl({ n: 3 }, 2)]);
    counts.set = 0;
    for (let second = 1; second <= 4; second += 1) {
      await sleep(1000);
      expect(await sessions.touch(touched.sid)).toBe(true);
      expect(await sessions.getAndTouch(read.sid)).toEqual({ n: 2 });
      if (second === 3) expect(await sessions.getNotTouch(untouched.sid)).toBeNull(); // died at 2 s
    }
    await sleep(500);
    expect(await sessions.getNotTouch(touched.sid)).toEqual({ n: 1 });
    expect(await sessions.getNotTouch(read.sid)).toEqual({ n: 2 });
    expect(counts.set).toBe(8); // every touch was written: 4 explicit, 4 due (a second is half of the 2 s TTL)
  }, 10_000);

  test('touch() answers true only when it wrote, false for a session that is gone', async () => {
    const sessions = new TokenSession();
    const counts = countCalls(sessions.store);
    const { sid } = await sessions.newWttl({}, 0.2);
    expect(await sessions.touch(sid)).toBe(true);
    expect(counts.set).toBe(2);
    await sleep(300);
    expect(await sessions.touch(sid)).toBe(false);
    expect(counts.set).toBe(2);
  });
});

describe('the default store frees expired sessions soon, without being asked for them', () => {
  test('a 1 s session is gone from the cache within two seconds of expiring, with no read', async () => {
    const sessions = new TokenSession({ ttl: 1 });
    await sessions.new({ big: 'x'.repeat(1000) });
    const cache = (sessions.store as unknown as { store: { keys(): string[] } }).store;
    expect(cache.keys()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    expect(cache.keys()).toHaveLength(0);
  });
});
