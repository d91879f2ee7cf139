// Every bad input to the programmatic API gets a typed error, and nothing is written.
import fc from 'fast-check';
import { isTokenShaped } from '../../src/core/tokens';
import { TokenSession, TokenSessionError, type TokenSessionOptions } from '../../src';
import { countCalls, fakeStore } from '../helpers/fake-stores';

describe('bad options throw ERR_OPTIONS at construction, naming the option', () => {
  const cases: Array<[string, unknown]> = [
    ['ttl', 0],
    ['ttl', -5],
    ['ttl', '3600'],
    ['ttl', Infinity],
    ['ttl', NaN],
    ['absoluteTtl', 0],
    ['absoluteTtl', 'a day'],
    ['autoTouch', 'yes'],
    ['touchAfter', -1],
    ['touchAfter', NaN],
    ['genid', 'uuid'],
    ['hashTokens', 1],
    ['hackttl', {}],
    ['ownerKey', ''],
    ['ownerKey', 42],
    ['maxDataBytes', 0],
    ['maxDataBytes', 1.5],
    ['storeTimeout', -1],
    ['store', 'redis://localhost'],
    ['store', { get() {}, set() {} }],
    ['sotre', {}],
  ];

  test.each(cases)('%s: %p', (name, value) => {
    let caught: unknown;
    try {
      new TokenSession({ [name]: value } as TokenSessionOptions);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TokenSessionError);
    expect(caught).toMatchObject({ code: 'ERR_OPTIONS', name: 'TokenSessionError' });
    expect((caught as Error).message).toMatch(new RegExp(`^token-session: option "${name}"`));
  });

  test('options that are not an object', () => {
    expect(() => new TokenSession('ttl=60' as TokenSessionOptions)).toThrow(
      expect.objectContaining({ code: 'ERR_OPTIONS' }),
    );
  });

  test('good options pass', () => {
    expect(
      () =>
        new TokenSession({
          ttl: 10, absoluteTtl: 60, autoTouch: false, touchAfter: 0, genid: () => 'x', hashTokens: false,
          hackttl: (r) => r, ownerKey: 'userId', maxDataBytes: 10, storeTimeout: 0, store: fakeStore('promise'),
        }),
    ).not.toThrow();
  });
});

describe('bad data is refused with ERR_INVALID_DATA and nothing is written', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic['self'] = cyclic;
  const deep: Record<string, unknown> = {};
  let cursor = deep;
  for (let i = 0; i < 100; i += 1) cursor = (cursor['next'] = {}) as Record<string, unknown>;

  const cases: Array<[string, unknown]> = [
    ['a string', 'hello'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an array', [1, 2]],
    ['a function', () => 1],
    ['a function inside', { f() {} }],
    ['a BigInt inside', { n: 10n }],
    ['a symbol inside', { s: Symbol('x') }],
    ['NaN inside', { n: NaN }],
    ['Infinity inside', { n: Infinity }],
    ['a Date inside', { at: new Date() }],
    ['a Map inside', { m: new Map() }],
    ['a class instance', new (class Profile { name = 'a'; })()],
    ['a cycle', cyclic],
    ['undefined in an array', { list: [1, undefined] }],
    ['a __proto__ key', JSON.parse('{"__proto__": {"admin": true}}')],
    ['a constructor key', { nested: { constructor: { prototype: {} } } }],
    ['nesting 100 deep', deep],
    ['more than maxDataBytes', { text: 'é'.repeat(40) }],
  ];

  test.each(cases)('%s', async (_kind, data) => {
    const store = fakeStore('async callback');
    const counts = countCalls(store);
    const sessions = new TokenSession<unknown>({ store, maxDataBytes: 64 });
    const { sid } = await sessions.new({ ok: true });
    const before = [...store.map.entries()];
    counts.set = 0;

    // Through the callback form, so that data which is a function is not taken for the callback.
    const calledBack = (method: 'new' | 'newWttl' | 'set' | 'setWttl' | 'regenerate' | 'newOnce', ...args: unknown[]) =>
      new Promise((resolve, reject) => (sessions[method] as (...a: unknown[]) => void)(...args, (err: Error | null) => (err ? reject(err) : resolve(undefined))));
    await expect(calledBack('new', data)).rejects.toMatchObject({ code: 'ERR_INVALID_DATA' });
    await expect(calledBack('newWttl', data, 60)).rejects.toMatchObject({ code: 'ERR_INVALID_DATA' });
    await expect(calledBack('set', sid, data)).rejects.toMatchObject({ code: 'ERR_INVALID_DATA' });
    await expect(calledBack('setWttl', sid, data, 60)).rejects.toMatchObject({ code: 'ERR_INVALID_DATA' });
    if (data !== undefined) await expect(calledBack('regenerate', sid, data)).rejects.toMatchObject({ code: 'ERR_INVALID_DATA' });
    // One-time data is typed apart from the session's (any object), and checked as strictly.
    await expect(calledBack('newOnce', data, 60)).rejects.toMatchObject({ code: 'ERR_INVALID_DATA' });
    expect(await sessions.getNotTouch(sid)).toEqual({ ok: true });

    expect(counts.set).toBe(0);
    expect([...store.map.entries()]).toEqual(before);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  test('a function as the last argument is the callback, as in the seed API: new(fn) calls it back with ERR_INVALID_DATA', async () => {
    const sessions = new TokenSession();
    const err = await new Promise((resolve) => (sessions.new as (cb: unknown) => void)(resolve));
    expect(err).toMatchObject({ code: 'ERR_INVALID_DATA' });
  });

  test('the message says where the bad value is', async () => {
    const sessions = new TokenSession();
    await expect(sessions.new({ user: { seen: new Date() } })).rejects.toThrow(
      /^token-session: data\.user\.seen is an instance of Date/,
    );
  });

  test('undefined properties are dropped, as JSON does', async () => {
    const sessions = new TokenSession<Record<string, unknown>>();
    const { sid } = await sessions.new({ a: 1, b: undefined });
    expect(await sessions.get(sid)).toEqual({ a: 1 });
  });

  test('exactly maxDataBytes UTF-8 bytes is accepted', async () => {
    const sessions = new TokenSession({ maxDataBytes: 12 });
    // {"t":"éé"} is 10 characters but 12 bytes; {"t":"ééé"} is 14 bytes.
    await expect(sessions.new({ t: 'ééé' })).rejects.toMatchObject({ code: 'ERR_INVALID_DATA' });
    await expect(sessions.new({ t: 'éé' })).resolves.toBeDefined();
  });
});

describe('bad TTLs are refused with ERR_INVALID_TTL and nothing is written', () => {
  test.each([0, -1, NaN, Infinity, '60', null])('%p', async (ttl) => {
    const store = fakeStore('promise');
    const sessions = new TokenSession({ store });
    const { sid } = await sessions.new({ a: 1 });
    const counts = countCalls(store);
    await expect(sessions.newWttl({}, ttl as number)).rejects.toMatchObject({ code: 'ERR_INVALID_TTL' });
    await expect(sessions.setWttl(sid, { a: 2 }, ttl as number)).rejects.toMatchObject({ code: 'ERR_INVALID_TTL' });
    expect(counts).toEqual({ get: 0, set: 0, destroy: 0 });
    expect(await sessions.get(sid)).toEqual({ a: 1 });
  });
});

describe('malformed tokens are refused with ERR_INVALID_TOKEN before any store call', () => {
  const cases: Array<[string, unknown]> = [
    ['an empty string', ''],
    ['513 characters', 'a'.repeat(513)],
    ['a space', 'abc def'],
    ['a NUL', 'abc\u0000def'],
    ['a percent-encoded NUL', 'abc%00def'],
    ['unicode', 'tökén'],
    ['a number', 12345],
    ['an array', ['abc']],
    ['an object', { toString: () => 'abc' }],
    ['undefined', undefined],
  ];

  test.each(cases)('%s', async (_kind, token) => {
    const store = fakeStore('async callback');
    const counts = countCalls(store);
    const sessions = new TokenSession({ store });
    const sid = token as string;
    for (const call of [
      () => sessions.get(sid),
      () => sessions.getNotTouch(sid),
      () => sessions.getAndTouch(sid),
      () => sessions.set(sid, {}),
      () => sessions.setWttl(sid, {}, 10),
      () => sessions.touch(sid),
      () => sessions.destroy(sid),
      () => sessions.regenerate(sid),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN' });
    }
    expect(counts).toEqual({ get: 0, set: 0, destroy: 0 });
  });

  test('512 characters of the token alphabet are accepted', async () => {
    const sessions = new TokenSession();
    await expect(sessions.get(`${'aZ09-_.~+/'.repeat(51)}==`)).resolves.toBeNull();
  });

  test('a genid that returns something unusable fails new() and writes nothing', async () => {
    const store = fakeStore('promise');
    const counts = countCalls(store);
    const sessions = new TokenSession({ store, genid: () => 'has spaces in it' });
    await expect(sessions.new({})).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN' });
    expect(counts.set).toBe(0);
  });
});

describe('property: any data is either stored as its JSON or refused with ERR_INVALID_DATA, leaving the session as it was', () => {
  const hostileKey = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'));
  const anyValue = fc.anything({
    key: hostileKey,
    maxDepth: 4,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withNullPrototype: true,
    withBoxedValues: true,
    withObjectString: true,
  });
  const anyData = fc.oneof(fc.dictionary(hostileKey, anyValue, { maxKeys: 5 }), anyValue);

  test('through set, on session-memory-store', async () => {
    const sessions = new TokenSession<any>({ maxDataBytes: 2_000 });
    const { sid } = await sessions.new({ kept: 'as it was' });
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).join();
    await fc.assert(
      fc.asyncProperty(anyData, async (data) => {
        const before = JSON.stringify(await sessions.getNotTouch(sid));
        let refused: unknown;
        try {
          await sessions.set(sid, data);
        } catch (err) {
          refused = err;
        }
        const after = await sessions.getNotTouch(sid);
        if (refused) {
          expect(refused).toMatchObject({ code: 'ERR_INVALID_DATA' });
          expect(JSON.stringify(after)).toBe(before);
        } else {
          expect(JSON.stringify(after)).toBe(JSON.stringify(data));
        }
        // Nothing reached any prototype, whatever the keys.
        expect(Object.getOwnPropertyNames(Object.prototype).join()).toBe(prototypeKeys);
      }),
      { numRuns: 300 },
    );
  });
});

describe('property: a token is 1 to 512 characters of A-Z a-z 0-9 - _ . ~ + / =, nothing else', () => {
  const SHAPE = /^[A-Za-z0-9\-_.~+/=]{1,512}$/;
  test('isTokenShaped agrees with the alphabet, for any string', () => {
    const nearTokens = fc.stringMatching(/^[A-Za-z0-9\-_.~+/=]{0,520}$/);
    const anyText = fc.string({ unit: 'binary', maxLength: 600 });
    const oneBadChar = fc.tuple(nearTokens, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), nearTokens).map(([a, b, c]) => a + b + c);
    fc.assert(fc.property(fc.oneof(nearTokens, anyText, oneBadChar), (text) => {
      expect(isTokenShaped(text)).toBe(SHAPE.test(text));
    }), { numRuns: 2_000 });
    for (const notText of [undefined, null, 42, ['abc'], { toString: () => 'abc' }]) expect(isTokenShaped(notText)).toBe(false);
  });
});
