// The programmatic API, method by method, on the default store.
import { TokenSession, type ExpressSessionStore } from '../../src';
import { countCalls, fakeStore, switchableStore, WORKING_STYLES } from '../helpers/fake-stores';
import { IN_PROCESS_STORES } from '../helpers/real-stores';

interface Backend {
  name: string;
  make(): ExpressSessionStore;
  close(store: ExpressSessionStore): void;
}

const backends: Backend[] = [
  ...IN_PROCESS_STORES,
  ...WORKING_STYLES.map((style) => ({ name: `fake store (${style})`, make: () => fakeStore(style), close: () => undefined })),
];

describe.each(backends)('the seed API over $name', (backend) => {
  let store: ExpressSessionStore;
  let sessions: TokenSession<Record<string, unknown>>;

  beforeEach(() => {
    store = backend.make();
    sessions = new TokenSession({ store, touchAfter: 0 });
  });
  afterEach(() => backend.close(store));

  test('new issues a token whose data get returns', async () => {
    const created = await sessions.new({ name: 'ana', count: 0 });
    expect(created.sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.sessionId).toBe(created.sid);
    expect(created.data).toEqual({ name: 'ana', count: 0 });
    expect(await sessions.get(created.sid)).toEqual({ name: 'ana', count: 0 });
    expect(await sessions.getNotTouch(created.sid)).toEqual({ name: 'ana', count: 0 });
    expect(await sessions.getAndTouch(created.sid)).toEqual({ name: 'ana', count: 0 });
  });

  test('every new session gets its own token', async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, () => sessions.new({}).then((s) => s.sid)));
    expect(new Set(tokens).size).toBe(20);
  });

  test('the aliases are the same methods', async () => {
    const { sid } = await sessions.newSession({ n: 1 });
    expect(await sessions.getNtouch(sid)).toEqual({ n: 1 });
  });

  test('an unknown token reads as null', async () => {
    expect(await sessions.get('no-such-token')).toBeNull();
    expect(await sessions.getNotTouch('no-such-token')).toBeNull();
  });

  test('set replaces the data', async () => {
    const { sid } = await sessions.new({ a: 1, b: 2 });
    await sessions.set(sid, { a: 10 });
    expect(await sessions.get(sid)).toEqual({ a: 10 });
  });

  test('setWttl replaces the data and the TTL', async () => {
    const { sid } = await sessions.new({ a: 1 });
    await sessions.setWttl(sid, { a: 2 }, 120);
    expect(await sessions.get(sid)).toEqual({ a: 2 });
  });

  test('set on a token it never issued rejects and writes nothing', async () => {
    await sessions.new({ other: true });
    const counts = countCalls(store);
    await expect(sessions.set('client-chosen-id', { admin: true })).rejects.toMatchObject({
      code: 'ERR_SESSION_NOT_FOUND',
    });
    await expect(sessions.setWttl('client-chosen-id', { admin: true }, 60)).rejects.toMatchObject({
      code: 'ERR_SESSION_NOT_FOUND',
    });
    expect(counts.set).toBe(0);
    expect(await sessions.get('client-chosen-id')).toBeNull();
  });

  test('touch answers whether the session exists', async () => {
    const { sid } = await sessions.new({});
    expect(await sessions.touch(sid)).toBe(true);
    expect(await sessions.touch('unknown-token')).toBe(false);
  });

  test('destroy ends the session and answers whether one was removed', async () => {
    const { sid } = await sessions.new({ a: 1 });
    expect(await sessions.destroy(sid)).toBe(true);
    expect(await sessions.get(sid)).toBeNull();
    expect(await sessions.destroy(sid)).toBe(false);
    await expect(sessions.set(sid, { a: 2 })).rejects.toMatchObject({ code: 'ERR_SESSION_NOT_FOUND' });
  });

  test('regenerate moves the data to a new token and kills the old one', async () => {
    const { sid } = await sessions.new({ user: 'ana' });
    const fresh = await sessions.regenerate(sid);
    expect(fresh).not.toBe(sid);
    expect(await sessions.get(sid)).toBeNull();
    expect(await sessions.get(fresh)).toEqual({ user: 'ana' });
    await expect(sessions.regenerate(sid)).rejects.toMatchObject({ code: 'ERR_SESSION_NOT_FOUND' });
  });

  test('returned data is a copy: mutating it changes nothing until saved', async () => {
    const input = { list: [1, 2], nested: { x: 1 } };
    const created = await sessions.new(input);
    input.list.push(3);
    created.data['nested'] = 'changed';
    const read = (await sessions.get(created.sid))!;
    expect(read).toEqual({ list: [1, 2], nested: { x: 1 } });
    (read['list'] as number[]).push(99);
    expect(await sessions.get(created.sid)).toEqual({ list: [1, 2], nested: { x: 1 } });
  });
});

test('a user-supplied genid is used (UUIDs pass the token shape check)', async () => {
  const sessions = new TokenSession({ genid: () => 'b3c1e9f2-6a4d-4c2e-9f7a-2d1c0e5b8a90' });
  const { sid } = await sessions.new({ a: 1 });
  expect(sid).toBe('b3c1e9f2-6a4d-4c2e-9f7a-2d1c0e5b8a90');
  expect(await sessions.get(sid)).toEqual({ a: 1 });
});

test('regenerate does not leave two live tokens when the old one cannot be removed', async () => {
  const store = fakeStore('async callback');
  const sessions = new TokenSession({ store });
  const { sid } = await sessions.new({ a: 1 });
  const destroy = store.destroy;
  let destroyCalls = 0;
  store.destroy = (key: string, cb) => {
    destroyCalls += 1;
    // The first destroy (of the old token) fails; the undo of the new one goes through.
    if (destroyCalls === 1) return setImmediate(cb, new Error('disk full'));
    return destroy(key, cb);
  };
  await expect(sessions.regenerate(sid)).rejects.toMatchObject({ code: 'ERR_STORE' });
  expect(store.map.size).toBe(1);
  expect(await sessions.get(sid)).toEqual({ a: 1 });
});

describe.each([
  ['one engine', 1],
  ['two engines on one store', 2],
])('commits of one session run one at a time in a process: %s', (_name, engines) => {
  test('a destroy that comes while a set is still on its way to the store waits for it, and the session stays ended', async () => {
    const store = switchableStore();
    const writer = new TokenSession<any>({ store });
    const ender = engines === 1 ? writer : new TokenSession<any>({ store });
    const { sid } = await writer.new({ n: 0 });
    store.delays.set('set', 300);
    const slowSet = writer.set(sid, { n: 1, late: true });
    await new Promise((done) => setTimeout(done, 50)); // the set has read the session and is writing it
    store.delays.clear();
    expect(await ender.destroy(sid)).toBe(true);
    await slowSet;
    expect(await writer.getNotTouch(sid)).toBeNull();
    expect(store.map.size).toBe(0);
  });
});
