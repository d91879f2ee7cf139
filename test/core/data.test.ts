// Session data: the JSON check, copies, comparison and key-by-key changes.
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { applyChanges, changesOf, copyData, sameJson, toStorableData } from '../../src/core/data';

describe('sameJson: would the value be stored as the same JSON as the stored data', () => {
  test.each([
    ['equal objects', { a: 1, b: [1, { c: 'x' }] }, { a: 1, b: [1, { c: 'x' }] }, true],
    ['a changed leaf', { a: 1, b: [1, { c: 'y' }] }, { a: 1, b: [1, { c: 'x' }] }, false],
    ['a new key', { a: 1, b: 2 }, { a: 1 }, false],
    ['a removed key', { a: 1 }, { a: 1, b: 2 }, false],
    ['an undefined key is no key, as in JSON', { a: 1, b: undefined }, { a: 1 }, true],
    ['a longer array', { l: [1, 2, 3] }, { l: [1, 2] }, false],
    ['an array for an object', { l: [] }, { l: {} }, false],
    ['a Date is a change (JSON cannot hold it as a Date)', { at: new Date(0) }, { at: {} }, false],
    ['a Map for an empty object is a change', { m: new Map() }, { m: {} }, false],
    ['NaN is a change', { n: NaN }, { n: null }, false],
  ])('%s', (_name, value, stored, same) => {
    expect(sameJson(value, stored)).toBe(same);
  });
});

test('copyData is deep, drops undefined, and keeps an own __proto__ key as data', () => {
  const source = JSON.parse('{"a":{"b":[1,{"c":2}]},"__proto__":{"admin":true}}') as Record<string, any>;
  source['u'] = undefined;
  const copy = copyData(source);
  expect(copy).toEqual(source);
  expect(copy).not.toHaveProperty('u');
  expect(copy.a).not.toBe(source.a);
  expect(copy.a.b[1]).not.toBe(source.a.b[1]);
  expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  expect((copy as { admin?: boolean }).admin).toBeUndefined();
});

describe('changesOf / applyChanges: a commit writes only the top-level keys its request changed', () => {
  const loaded = { user: 'ana', cart: { items: [1] }, theme: 'dark' };

  test('a set, a changed nested value, a removal (deleted or set to undefined)', () => {
    const now = { user: 'ana', cart: { items: [1, 2] }, lang: 'pt', theme: undefined };
    expect(changesOf(now, loaded)).toEqual({ set: { cart: { items: [1, 2] }, lang: 'pt' }, removed: ['theme'] });
  });

  test('nothing changed: nothing to set or remove', () => {
    expect(changesOf(copyData(loaded), loaded)).toEqual({ set: {}, removed: [] });
  });

  test('applied onto the current data, keys another request added meanwhile stay', () => {
    const current = { ...loaded, addedElsewhere: true };
    const merged = applyChanges(current, { set: { lang: 'pt', user: 'bo' }, removed: ['theme'] });
    expect(merged).toEqual({ user: 'bo', cart: { items: [1] }, addedElsewhere: true, lang: 'pt' });
    expect(current).toEqual({ ...loaded, addedElsewhere: true }); // a new object; the store's is untouched
  });

  test('an own "__proto__" key stays an own key and never becomes a prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"admin": true}}') as object;
    const changes = changesOf(hostile, {});
    expect(Object.keys(changes.set)).toEqual(['__proto__']);
    const merged = applyChanges({}, changes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged['admin']).toBeUndefined();
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });
});

describe('toStorableData: the size limit is exact, though most data is never serialised to check it', () => {
  const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
  const key = fc.string({ unit: 'binary', maxLength: 8 }).filter((k) => !FORBIDDEN.has(k));
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string({ unit: 'binary' }), // any code point, lone surrogates too: 1 to 6 bytes each in JSON
      fc.string({ unit: fc.constantFrom('\u0001', '"', '\\', 'é', '€', '😀', '\ud800', 'a') }), // the costly ones, often
      fc.string({ unit: fc.constantFrom('\u0001', '\u001f') }), // 6 bytes each, the worst case
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  test('accepted exactly when the JSON is at most maxDataBytes UTF-8 bytes', () => {
    fc.assert(fc.property(fc.dictionary(key, json, { maxKeys: 6 }), fc.integer({ min: -3, max: 3 }), (data, slack) => {
      const bytes = Buffer.byteLength(JSON.stringify(data), 'utf8');
      const maxBytes = Math.max(1, bytes + slack);
      let accepted: boolean;
      try {
        expect(JSON.stringify(toStorableData(data, maxBytes))).toBe(JSON.stringify(data));
        accepted = true;
      } catch (err) {
        expect((err as { code?: string }).code).toBe('ERR_INVALID_DATA');
        accepted = false;
      }
      expect(accepted).toBe(bytes <= maxBytes);
    }), { numRuns: 2000 });
  });

  test('the error names the path to the bad value', () => {
    expect(() => toStorableData({ a: { list: [1, { at: new Date(0) }] } }, 1000)).toThrow('data.a.list[1].at is an instance of Date');
    expect(() => toStorableData({ n: NaN }, 1000)).toThrow('data.n is NaN');
  });

  test('a plain object made in another realm is plain; an instance made there is not', () => {
    // jest's own structuredClone gives objects of Node's realm, not of the test's.
    const other = runInNewContext('({ user: "ana", cart: [{ id: 1 }], at: new Date(0) })');
    expect(Object.getPrototypeOf(other)).not.toBe(Object.prototype);
    expect(toStorableData({ ...other, at: undefined }, 1000)).toEqual({ user: 'ana', cart: [{ id: 1 }] });
    expect(toStorableData(runInNewContext('({ nested: { a: 1 } })'), 1000)).toEqual({ nested: { a: 1 } });
    expect(() => toStorableData(other, 1000)).toThrow('data.at is an instance of Date');
    expect(() => toStorableData(runInNewContext('new (class Cart { constructor() { this.a = 1 } })()'), 1000)).toThrow('an instance of Cart');
  });
});
