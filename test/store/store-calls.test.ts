// The store and index calls: every calling style and fault.
import { toIndexCalls, toStoreCalls } from '../../src/store/store-calls';
import { memoryIndex, TokenSession, type ExpressSessionStore, type SessionIndex, type StoreCallback } from '../../src';
import { brokenStore, fakeStore, WORKING_STYLES } from '../helpers/fake-stores';

/** The store calls, every answer as a promise (sync answers included), for `expect().resolves`. */
function toPromiseStore(store: ExpressSessionStore, timeoutMs: number) {
  const calls = toStoreCalls(store, timeoutMs);
  return {
    get: (key: string) => Promise.resolve(calls.get(key)),
    set: (key: string, record: unknown) => Promise.resolve(calls.set(key, record)),
    destroy: (key: string) => Promise.resolve(calls.destroy(key)),
  };
}

test('a store that answers at once is answered at once; one that answers later, by a promise', () => {
  const sync = toStoreCalls(fakeStore('sync callback'), 1000);
  expect(sync.set('k', { v: 1 })).toBeUndefined();
  expect(sync.get('k')).toEqual({ v: 1 });
  expect(sync.get('missing')).toBeNull();
  const later = toStoreCalls(fakeStore('async callback'), 1000);
  expect(later.get('k')).toBeInstanceOf(Promise);
  // A failure is always a rejected promise, never a throw, even from a store that throws at once.
  const failing = toStoreCalls(brokenStore('throws'), 1000).get('k');
  expect(failing).toBeInstanceOf(Promise);
  return expect(failing).rejects.toMatchObject({ code: 'ERR_STORE' });
});

describe.each(WORKING_STYLES)('a store that answers by %s', (style) => {
  test('set, get, destroy and a miss', async () => {
    const store = toPromiseStore(fakeStore(style), 1000);
    await expect(store.get('k')).resolves.toBeNull();
    await expect(store.set('k', { v: 1 })).resolves.toBeUndefined();
    await expect(store.get('k')).resolves.toEqual({ v: 1 });
    await expect(store.destroy('k')).resolves.toBeUndefined();
    await expect(store.get('k')).resolves.toBeNull();
  });
});

describe('a store that fails', () => {
  test.each(['errors', 'throws', 'rejects'] as const)('by %s: ERR_STORE with the store error as cause', async (how) => {
    const store = toPromiseStore(brokenStore(how), 1000);
    for (const call of [() => store.get('k'), () => store.set('k', {}), () => store.destroy('k')]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_STORE', cause: expect.any(Error) });
      expect((err as Error).message).toMatch(/^token-session: store\.(get|set|destroy) failed: (get|set|destroy) is broken$/);
    }
  });

  test('by never answering: ERR_STORE_TIMEOUT after storeTimeout ms', async () => {
    const store = toPromiseStore(brokenStore('never answers'), 50);
    const started = Date.now();
    await expect(store.get('k')).rejects.toMatchObject({ code: 'ERR_STORE_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  test('a timeout of 0 waits for a slow store', async () => {
    const slow = {
      get: (_k: string, cb: StoreCallback) => setTimeout(cb, 80, null, { v: 1 }),
      set: (_k: string, _r: unknown, cb: StoreCallback) => cb(),
      destroy: (_k: string, cb: StoreCallback) => cb(),
    };
    await expect(toPromiseStore(slow, 0).get('k')).resolves.toEqual({ v: 1 });
    await expect(toPromiseStore(slow, 20).get('k')).rejects.toMatchObject({ code: 'ERR_STORE_TIMEOUT' });
  });

  test('an error without a message still rejects', async () => {
    const store = toPromiseStore(
      { get: () => Promise.reject(undefined), set: (_k: string, _r: unknown, cb: StoreCallback) => cb('bad'), destroy: () => undefined },
      100,
    );
    await expect(store.get('k')).rejects.toMatchObject({ code: 'ERR_STORE' });
    await expect(store.set('k', {})).rejects.toMatchObject({ code: 'ERR_STORE', message: 'token-session: store.set failed: bad' });
  });
});

test('the first answer wins and later calls of the callback never throw', async () => {
  let captured: StoreCallback | undefined;
  const store = toPromiseStore(
    {
      get: (_k: string, cb: StoreCallback) => {
        captured = cb;
        cb(null, { first: true });
      },
      set: () => undefined,
      destroy: () => undefined,
    },
    100,
  );
  await expect(store.get('k')).resolves.toEqual({ first: true });
  expect(() => captured!(new Error('again'))).not.toThrow();
  expect(() => captured!(null, { second: true })).not.toThrow();
});

test('optional methods are never called, so a store with only get/set/destroy works', async () => {
  const base = fakeStore('async callback');
  const minimal = { get: base.get, set: base.set, destroy: base.destroy };
  const store = toPromiseStore(minimal, 100);
  await store.set('k', { v: 1 });
  await expect(store.get('k')).resolves.toEqual({ v: 1 });
});

describe('the owner/claim index fails like a store: ERR_STORE or ERR_STORE_TIMEOUT, so a request answers 503', () => {
  const failing = (how: 'rejects' | 'throws' | 'never answers'): SessionIndex => {
    const method = () => {
      if (how === 'throws') throw new Error('index down');
      return how === 'rejects' ? Promise.reject(new Error('index down')) : new Promise<never>(() => undefined);
    };
    return { add: method, remove: method, owned: method, keyOf: method, claim: method } as unknown as SessionIndex;
  };

  test.each(['rejects', 'throws'] as const)('an index that %s: ERR_STORE, with the cause', async (how) => {
    const index = toIndexCalls(failing(how), 1000);
    await expect(index.add('ana', 'id', 'key', Date.now() + 1000)).rejects.toMatchObject({ code: 'ERR_STORE', message: 'token-session: index.add failed: index down' });
    await expect(index.claim('name', Date.now() + 1000)).rejects.toMatchObject({ code: 'ERR_STORE' });
  });

  test('an index that never answers: ERR_STORE_TIMEOUT after storeTimeout', async () => {
    const index = toIndexCalls(failing('never answers'), 50);
    await expect(index.owned('ana')).rejects.toMatchObject({ code: 'ERR_STORE_TIMEOUT' });
  });

  test('through the engine: a session whose owner cannot be indexed is refused with ERR_STORE, and not written', async () => {
    const store = fakeStore('sync callback');
    const sessions = new TokenSession<any>({ store, ownerKey: 'user', index: failing('rejects') });
    await expect(sessions.new({ user: 'ana' })).rejects.toMatchObject({ code: 'ERR_STORE' });
    expect(store.map.size).toBe(0);
  });

  test('the in-process index is used as it is: Maps cannot fail or wait', () => {
    const index = memoryIndex();
    expect(toIndexCalls(index, 1000)).toBe(index);
  });
});
