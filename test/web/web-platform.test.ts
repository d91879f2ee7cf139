// The web's platform (src/core/platform.ts), which token-session/fetch and /hono use outside Node: SHA-256 in JavaScript that gives Node's keys, WebCrypto tokens, the Map store.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { fetchTokenSession } from '../../integrations/fetch';
import { base64url, sha256Base64url } from '../../src/core/sha256';
import { mapStore, type MapStore } from '../../src/store/map-store';

// This file imports no Node entry (src/index.ts, src/adapter.ts): jest gives it its own modules, so the engine runs on the web's platform.

test('SHA-256 in JavaScript is node:crypto\'s, for any string (padding boundaries, multi-byte UTF-8, lone surrogates)', () => {
  const node = (text: string) => createHash('sha256').update(text).digest('base64url');
  for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 1000]) expect(sha256Base64url('a'.repeat(length))).toBe(node('a'.repeat(length)));
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => sha256Base64url(text) === node(text)), { numRuns: 2000 });
});

test('base64url is Buffer\'s, for any bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => base64url(bytes) === Buffer.from(bytes).toString('base64url')));
});

test('a session made on the web\'s platform has the store key and public id Node\'s platform gives its token', async () => {
  const sessions = fetchTokenSession<any>({ ownerKey: 'user' });
  const handler = sessions.wrap(async (_request, session) => Response.json({ token: session.create({ user: 'ana' }), publicId: session.publicId }));
  const { token, publicId } = (await (await handler(new Request('http://127.0.0.1/login', { method: 'POST' }))).json()) as { token: string; publicId: string };
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  // The Map store, not session-memory-store: what `all()` lists is keyed by the token's SHA-256 as Node computes it.
  const store = sessions.sessions.store as MapStore;
  expect(store['store']).toBeUndefined();
  const key = createHash('sha256').update(token).digest('base64url').slice(0, 32);
  expect(Object.keys(await store.all() as object)).toEqual([key]);
  expect(publicId).toBe(createHash('sha256').update(`token-session:public-id:${key}`).digest('base64url'));
  expect((await sessions.sessions.list('ana')).map(({ id }) => id)).toEqual([publicId]);
});

test('tokens from WebCrypto are 32 random bytes each', async () => {
  const sessions = fetchTokenSession();
  const tokens = new Set<string>();
  for (let i = 0; i < 200; i += 1) tokens.add((await sessions.sessions.new({})).sid);
  expect(tokens.size).toBe(200);
  for (const token of tokens) expect(Buffer.from(token, 'base64url')).toHaveLength(32);
});

describe('the Map store', () => {
  const record = (expiresInMs: number, data: object = {}) => ({ cookie: { expires: new Date(Date.now() + expiresInMs), originalMaxAge: expiresInMs }, data });

  test('keeps a record until its cookie\'s expiry, by callback or promise', async () => {
    const store = mapStore(60);
    await store.set('a', record(60_000, { n: 1 }));
    store.set('b', record(-1), () => undefined);
    expect(await store.get('a')).toMatchObject({ data: { n: 1 } });
    const viaCallback = await new Promise((resolve) => store.get('b', (_err, value) => resolve(value)));
    expect(viaCallback).toBeNull();
    expect(await store.length()).toBe(1);
  });

  test('a record without an expiry lasts the store\'s TTL', async () => {
    const store = mapStore(0.05);
    await store.set('a', { data: {} });
    expect(await store.get('a')).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get('a')).toBeNull();
  });

  test('touch keeps the data and takes the new cookie, as express-session\'s MemoryStore; destroy and clear remove', async () => {
    const store = mapStore(60);
    await store.set('a', record(50, { n: 1 }));
    await store.touch('a', record(60_000, { n: 'ignored' }));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get('a')).toMatchObject({ data: { n: 1 } });
    await store.touch('gone', record(60_000));
    expect(await store.get('gone')).toBeNull();
    await store.destroy('a');
    expect(await store.get('a')).toBeNull();
    await store.set('b', record(60_000));
    await store.clear();
    expect(await store.length()).toBe(0);
  });

  test('expired records are gone from all() and length() too', async () => {
    const store = mapStore(60);
    for (let i = 0; i < 1500; i += 1) await store.set(`old-${i}`, record(-1));
    await store.set('live', record(60_000));
    expect(await store.all()).toEqual({ live: expect.anything() });
    expect(await store.length()).toBe(1);
  });
});

test('making the middleware and its store starts no timer and draws no random bytes (workerd refuses both at module scope)', () => {
  const timers = [jest.spyOn(globalThis, 'setTimeout'), jest.spyOn(globalThis, 'setInterval')];
  const random = jest.spyOn(globalThis.crypto, 'getRandomValues');
  try {
    fetchTokenSession({ ownerKey: 'user' });
    mapStore(60);
    for (const spy of [...timers, random]) expect(spy).not.toHaveBeenCalled();
  } finally {
    for (const spy of [...timers, random]) spy.mockRestore();
  }
});
