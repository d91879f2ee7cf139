// Session data: checked as plain JSON within maxDataBytes, copied, compared, and changed key by key.
import { TokenSessionError } from '../errors';
import { platform } from './platform';

const MAX_DEPTH = 64;
// Keys that reach an object's prototype when a store or a user merges the data into another object.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Checks that `data` is a plain JSON object within `maxBytes` UTF-8 bytes and returns a copy
 * of it, so neither the caller nor the store can change the other's object afterwards.
 * Rejects (`ERR_INVALID_DATA`, nothing written) what JSON would silently change or lose:
 * functions, symbols, BigInt, NaN/Infinity, class instances (Date, Map, ...), cycles.
 * `undefined` object properties are dropped, as JSON does.
 */
export function toStorableData<T>(data: T, maxBytes: number): T {
  if (!isPlainObject(data)) {
    throw invalid(`session data must be a plain object, got ${kindOf(data)}`);
  }
  // The walk bounds the JSON size from above; only data that may be too big is serialised to
  // count its bytes exactly, so the common small session is never stringified here.
  if (checkValue(data, [], []) > maxBytes) {
    const bytes = platform.utf8Bytes(JSON.stringify(data));
    if (bytes > maxBytes) throw invalid(`session data is ${bytes} bytes as JSON, more than maxDataBytes (${maxBytes})`);
  }
  return copyData(data);
}

/**
 * A deep copy of JSON data (what `toStorableData` let through, or what a store gave back), so
 * mutating it changes nothing until it is saved. A plain walk, cheaper than a
 * JSON round trip, and it runs on every read. `undefined` properties are dropped, as in JSON.
 */
export function copyData<T>(data: T): T {
  if (typeof data !== 'object' || data === null) return data;
  if (Array.isArray(data)) return data.map(copyData) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    const value = (data as Record<string, unknown>)[key];
    if (value === undefined) continue;
    setOwn(copy, key, copyData(value));
  }
  return copy as T;
}

/** Sets an own property, even one named "__proto__" (JSON.parse makes such keys), which `=` would take for the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** What one request did to a session's top-level keys: the values it set, the keys it removed. */
export interface DataChanges {
  set: Record<string, unknown>;
  removed: string[];
}

/**
 * The top-level keys `data` changed against `baseline` (the data as the request loaded it).
 * A commit applies only these to the session as the store has it by then, so two requests
 * that change different keys of one session both keep their change.
 */
export function changesOf(data: object, baseline: object): DataChanges {
  const now = data as Record<string, unknown>;
  const before = baseline as Record<string, unknown>;
  const changes: DataChanges = { set: {}, removed: [] };
  for (const key of Object.keys(now)) {
    const value = now[key];
    if (value === undefined) continue; // JSON leaves it out: a removal, if anything (below)
    if (!Object.hasOwn(before, key) || !sameJson(value, before[key])) setOwn(changes.set, key, value);
  }
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(now, key) || now[key] === undefined) changes.removed.push(key);
  }
  return changes;
}

/** `current` with `changes` applied on top: a new object, unchecked (the caller stores it through `toStorableData`). */
export function applyChanges<T>(current: T, { set, removed }: DataChanges): T {
  const merged: Record<string, unknown> = {};
  const base = current as Record<string, unknown>;
  for (const key of Object.keys(base)) {
    if (!removed.includes(key) && !Object.hasOwn(set, key)) setOwn(merged, key, base[key]);
  }
  for (const key of Object.keys(set)) setOwn(merged, key, set[key]);
  return merged as T;
}

/**
 * Whether `value` would be stored as the same JSON as `stored` (data the store holds, so
 * plain JSON). It tells a request's commit whether the handler changed the session: a walk
 * that stops at the first difference, cheaper than serialising both. Anything JSON cannot
 * hold counts as a change, so the write that follows refuses it with ERR_INVALID_DATA.
 */
export function sameJson(value: unknown, stored: unknown): boolean {
  if (value === stored) return true;
  if (typeof value !== 'object' || typeof stored !== 'object' || value === null || stored === null) return false;
  if (Array.isArray(value) || Array.isArray(stored)) {
    if (!Array.isArray(value) || !Array.isArray(stored) || value.length !== stored.length) return false;
    return value.every((item, i) => sameJson(item, stored[i]));
  }
  if (!isPlainObject(value)) return false;
  const other = stored as Record<string, unknown>;
  let defined = 0;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined) continue; // JSON leaves it out
    defined += 1;
    if (!Object.hasOwn(other, key) || !sameJson(item, other[key])) return false;
  }
  return defined === Object.keys(other).length;
}

// Upper bounds of JSON bytes: a UTF-16 code unit is at most 6 bytes (`\u001f`, or 3 bytes of
// UTF-8 for one unit of a character), and a number at most 24 characters (-1.7976931348623157e+308).
const MAX_BYTES_PER_CHAR = 6;
const MAX_NUMBER_BYTES = 24;
const stringBound = (text: string): number => 2 + MAX_BYTES_PER_CHAR * text.length;

/**
 * Throws `ERR_INVALID_DATA` for anything JSON would change or lose; returns an upper bound of
 * the value's JSON size in bytes. `trail` is the keys down to `value`, for the error message
 * only: it is turned into a path when something is wrong, never on the way.
 */
function checkValue(value: unknown, trail: (string | number)[], ancestors: object[]): number {
  switch (typeof value) {
    case 'string':
      return stringBound(value);
    case 'boolean':
      return 5;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`${where(trail)} is ${value}, which JSON cannot hold`);
      return MAX_NUMBER_BYTES;
    case 'object':
      if (value === null) return 4;
      break;
    default:
      throw invalid(`${where(trail)} is a ${typeof value}, which JSON cannot hold`);
  }
  if (trail.length >= MAX_DEPTH) throw invalid(`${where(trail)} is nested deeper than ${MAX_DEPTH} levels`);
  if (ancestors.includes(value)) throw invalid(`${where(trail)} refers back to itself (a cycle)`);
  ancestors.push(value);
  let bound = 2; // the brackets
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      trail.push(i);
      if (value[i] === undefined) throw invalid(`${where(trail)} is undefined, which JSON turns into null`);
      bound += checkValue(value[i], trail, ancestors) + 1; // and a comma
      trail.pop();
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      trail.push(key);
      if (FORBIDDEN_KEYS.has(key)) throw invalid(`${where(trail)}: the key "${key}" is not allowed`);
      const child = value[key];
      if (child !== undefined) bound += stringBound(key) + checkValue(child, trail, ancestors) + 2; // a colon, a comma
      trail.pop();
    }
  } else {
    throw invalid(`${where(trail)} is ${kindOf(value)}; only plain objects, arrays and JSON values are stored`);
  }
  ancestors.pop();
  return bound;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || isOtherRealmsObjectPrototype(proto);
}

/**
 * A plain object made in another realm (a `vm` context; jest's test realm, where
 * `structuredClone` returns objects of Node's own): its prototype is that realm's
 * `Object.prototype`, the one prototype that has no prototype itself and is its
 * constructor's `prototype`.
 */
function isOtherRealmsObjectPrototype(proto: unknown): boolean {
  if (typeof proto !== 'object' || proto === null || Object.getPrototypeOf(proto) !== null) return false;
  const { constructor } = proto as { constructor?: unknown };
  return typeof constructor === 'function' && constructor.name === 'Object' && constructor.prototype === proto;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return `an instance of ${name ?? 'an unknown class'}`;
}

/** `data.a.b[0]` for the trail ['a', 'b', 0]. */
function where(trail: (string | number)[]): string {
  return trail.reduce<string>((path, step) => (typeof step === 'number' ? `${path}[${step}]` : `${path}.${step}`), 'data');
}

function invalid(message: string): TokenSessionError {
  return new TokenSessionError('ERR_INVALID_DATA', message);
}
