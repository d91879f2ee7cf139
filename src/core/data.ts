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
  const json = JSON.stringify(data);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) {
    throw invalid(`session data is ${bytes} bytes as JSON, more than maxDataBytes (${maxBytes})`);
  }
  return JSON.parse(json) as T;
}

/** A copy of data read from a store, so mutating it changes nothing until it is saved. */
export function copyData<T>(data: T): T {
  return JSON.parse(JSON.stringify(data)) as T;
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
