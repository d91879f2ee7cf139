import { TokenSessionError } from '../errors';

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
  checkValue(data, '', 0, []);
  const bytes = Buffer.byteLength(JSON.stringify(data), 'utf8');
  if (bytes > maxBytes) {
    throw invalid(`session data is ${bytes} bytes as JSON, more than maxDataBytes (${maxBytes})`);
  }
  return copyData(data);
}

/**
 * A deep copy of JSON data (what `toStorableData` let through, or what a store gave back), so
 * mutating it changes nothing until it is saved. A plain walk: several times faster than a
 * JSON round trip, and it runs on every read. `undefined` properties are dropped, as in JSON.
 */
export function copyData<T>(data: T): T {
  if (typeof data !== 'object' || data === null) return data;
  if (Array.isArray(data)) return data.map(copyData) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    const value = (data as Record<string, unknown>)[key];
    if (value === undefined) continue;
    // A store may hand back an own "__proto__" key (JSON.parse makes one); assigning it would set the prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: copyData(value), enumerable: true, writable: true, configurable: true });
    else copy[key] = copyData(value);
  }
  return copy as T;
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

function checkValue(value: unknown, path: string, depth: number, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`${where(path)} is ${value}, which JSON cannot hold`);
      return;
    case 'object':
      if (value === null) return;
      break;
    default:
      throw invalid(`${where(path)} is a ${typeof value}, which JSON cannot hold`);
  }
  if (depth >= MAX_DEPTH) throw invalid(`${where(path)} is nested deeper than ${MAX_DEPTH} levels`);
  if (ancestors.includes(value)) throw invalid(`${where(path)} refers back to itself (a cycle)`);
  ancestors.push(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (item === undefined) throw invalid(`${where(`${path}[${i}]`)} is undefined, which JSON turns into null`);
      checkValue(item, `${path}[${i}]`, depth + 1, ancestors);
    });
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) throw invalid(`${where(childPath)}: the key "${key}" is not allowed`);
      const child = value[key];
      if (child !== undefined) checkValue(child, childPath, depth + 1, ancestors);
    }
  } else {
    throw invalid(`${where(path)} is ${kindOf(value)}; only plain objects, arrays and JSON values are stored`);
  }
  ancestors.pop();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return `an instance of ${name ?? 'an unknown class'}`;
}

function where(path: string): string {
  return path ? `data.${path}` : 'data';
}

function invalid(message: string): TokenSessionError {
  return new TokenSessionError('ERR_INVALID_DATA', message);
}
