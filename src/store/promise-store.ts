import { TokenSessionError } from '../errors';
import type { ExpressSessionStore } from './types';

/** The one promise API the engine uses, whatever style the underlying store calls back in. */
export interface PromiseStore {
  /** The stored value, or `null` for a miss (`null`, `undefined` or an `ENOENT` error). */
  get(key: string): Promise<unknown>;
  set(key: string, record: unknown): Promise<void>;
  destroy(key: string): Promise<void>;
}

type RequiredMethod = 'get' | 'set' | 'destroy';

/**
 * Wraps an express-session-compatible store. This is the only place that knows how stores
 * call back: with a callback (synchronously or later), with a promise, or with both, and
 * sometimes more than once. The first answer wins, later ones are ignored, and nothing
 * here throws inside a store's callback.
 *
 * @param timeoutMs ms a call may take before it fails with `ERR_STORE_TIMEOUT`; 0 disables.
 */
export function toPromiseStore(store: ExpressSessionStore, timeoutMs: number): PromiseStore {
  return {
    async get(key) {
      try {
        const value = await callStore(store, 'get', [key], timeoutMs);
        return value ?? null;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    async set(key, record) {
      await callStore(store, 'set', [key, record], timeoutMs);
    },
    async destroy(key) {
      await callStore(store, 'destroy', [key], timeoutMs);
    },
  };
}

/** express-session treats `ENOENT` from `get` as "no such session" (file-based stores use it). */
function isNotFound(err: unknown): boolean {
  const cause = err instanceof TokenSessionError ? err.cause : err;
  return typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 'ENOENT';
}

function callStore(
  store: ExpressSessionStore,
  method: RequiredMethod,
  args: unknown[],
  timeoutMs: number,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const settle = (err: unknown, value?: unknown): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (err) reject(storeError(method, err));
      else resolve(value);
    };

    try {
      const returned = (store[method] as (...a: unknown[]) => unknown).call(store, ...args, settle);
      if (isThenable(returned)) {
        returned.then(
          (value) => settle(null, value),
          (err: unknown) => settle(err ?? new Error('rejected without a reason')),
        );
      }
    } catch (err) {
      settle(err ?? new Error('threw without a reason'));
    }

    // Armed only for a call still open: stores that answer at once (in-memory ones) cost no timer.
    if (!settled && timeoutMs > 0) {
      timer = setTimeout(() => {
        settle(new TokenSessionError('ERR_STORE_TIMEOUT', `store.${method} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
    }
  });
}

function storeError(method: RequiredMethod, err: unknown): TokenSessionError {
  if (err instanceof TokenSessionError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new TokenSessionError('ERR_STORE', `store.${method} failed: ${reason}`, { cause: err });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
