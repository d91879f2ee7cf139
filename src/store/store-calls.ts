// The one place that calls the user's store and the owner/claim index: every calling style, one failure contract, one timeout.
import { TokenSessionError } from '../errors';
import { andThen, isPromise, type Maybe } from '../maybe';
import { isInProcessIndex, type SessionIndex } from './session-index';
import { isAtomicStore, type ExpressSessionStore, type SessionChange } from './types';

/**
 * The store API the engine uses, whatever style the underlying store calls back in. A store that
 * answers at once (an in-memory one) gets its answer returned at once; otherwise a promise.
 */
export interface StoreCalls {
  /** The stored value, or `null` for a miss (`null`, `undefined` or an `ENOENT` error). */
  get(key: string): Maybe<unknown>;
  set(key: string, record: unknown): Maybe<void>;
  destroy(key: string): Maybe<void>;
  /** Present when the store applies changes itself (`AtomicSessionStore`): the record afterwards, or `null`. */
  update?(change: SessionChange): Promise<unknown>;
}

/**
 * Wraps an express-session-compatible store. Stores call back synchronously or later, return a
 * promise, or both, and sometimes call back more than once: the first answer wins, later ones
 * are ignored, and nothing here throws inside a store's callback.
 *
 * @param timeoutMs ms a call may take before it fails with `ERR_STORE_TIMEOUT`; 0 disables.
 */
export function toStoreCalls(store: ExpressSessionStore, timeoutMs: number): StoreCalls {
  const call = (method: 'get' | 'set' | 'destroy', args: unknown[]): Maybe<unknown> =>
    guardedCall('store', method, timeoutMs, (callback) => (store[method] as (...a: unknown[]) => unknown).call(store, ...args, callback));
  const calls: StoreCalls = {
    get(key) {
      const answer = call('get', [key]);
      return isPromise(answer) ? answer.then(orNull, nullIfNotFound) : orNull(answer);
    },
    set(key, record) {
      return andThen(call('set', [key, record]), nothing);
    },
    destroy(key) {
      return andThen(call('destroy', [key]), nothing);
    },
  };
  if (isAtomicStore(store)) {
    calls.update = (change) => Promise.resolve(guardedCall('store', 'updateSession', timeoutMs, () => store.updateSession(change))).then(orNull);
    if (typeof store.readSession === 'function') {
      calls.get = (key) => Promise.resolve(guardedCall('store', 'readSession', timeoutMs, () => store.readSession!(key))).then(orNull, nullIfNotFound);
    }
  }
  return calls;
}

/**
 * The owner/claim index under the store's failure contract: a throw or a rejection becomes
 * `ERR_STORE` (so a request answers 503, not 500, when the index's Redis is down), and a call
 * that takes longer than `timeoutMs` fails with `ERR_STORE_TIMEOUT`.
 */
export function toIndexCalls(index: SessionIndex, timeoutMs: number): SessionIndex {
  if (isInProcessIndex(index)) return index; // Maps in this process: nothing to fail or wait for
  const call = <R>(method: keyof SessionIndex, run: () => Promise<R>): Promise<R> =>
    Promise.resolve(guardedCall('index', method, timeoutMs, run) as Maybe<R>);
  return {
    add: (owner, id, key, expiresAt) => call('add', () => index.add(owner, id, key, expiresAt)),
    remove: (id) => call('remove', () => index.remove(id)),
    owned: (owner) => call('owned', () => index.owned(owner)),
    keyOf: (id) => call('keyOf', () => index.keyOf(id)),
    claim: (name, expiresAt) => call('claim', () => index.claim(name, expiresAt)),
  };
}

const orNull = (value: unknown): unknown => value ?? null;
const nothing = (): void => undefined;

function nullIfNotFound(err: unknown): null {
  if (isNotFound(err)) return null;
  throw err;
}

/** express-session treats `ENOENT` from `get` as "no such session" (file-based stores use it). */
function isNotFound(err: unknown): boolean {
  const cause = err instanceof TokenSessionError ? err.cause : err;
  return typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 'ENOENT';
}

/**
 * Runs `start(callback)`, which answers through the callback, a returned promise, or both.
 * The answer is returned as it is when it came before `start` returned, else as a promise that
 * fails with `ERR_STORE` (the cause attached) or, after `timeoutMs`, `ERR_STORE_TIMEOUT`.
 */
function guardedCall(owner: 'store' | 'index', method: string, timeoutMs: number, start: (callback: (err: unknown, value?: unknown) => void) => unknown): Maybe<unknown> {
  let settled = false;
  let answer: { err: unknown; value: unknown } | undefined;
  let pending: { resolve(value: unknown): void; reject(err: unknown): void } | undefined;
  let timer: NodeJS.Timeout | undefined;

  const settle = (err: unknown, value?: unknown): void => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    if (!pending) answer = { err, value }; // answered before guardedCall returned
    else if (err) pending.reject(failure(owner, method, err));
    else pending.resolve(value);
  };

  try {
    const returned = start(settle);
    if (isThenable(returned)) {
      returned.then(
        (value) => settle(null, value),
        (err: unknown) => settle(err ?? new Error('rejected without a reason')),
      );
    }
  } catch (err) {
    settle(err ?? new Error('threw without a reason'));
  }

  if (answer) return answer.err ? Promise.reject(failure(owner, method, answer.err)) : answer.value;
  return new Promise((resolve, reject) => {
    pending = { resolve, reject };
    // Armed only for a call still open: stores that answer at once cost no timer.
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        settle(new TokenSessionError('ERR_STORE_TIMEOUT', `${owner}.${method} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
    }
  });
}

function failure(owner: string, method: string, err: unknown): TokenSessionError {
  if (err instanceof TokenSessionError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new TokenSessionError('ERR_STORE', `${owner}.${method} failed: ${reason}`, { cause: err });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
