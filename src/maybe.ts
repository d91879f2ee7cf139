// A value now, or a promise of it: how the engine answers at once when the store does. Internal; never exported.
/**
 * In-memory stores answer at once; carrying that answer on synchronously, instead of through a
 * promise, keeps a request that needs no waiting inside the framework's own call (a response
 * whose end is put off by one microtask costs Express dearly: BENCHMARKS.md, "Why the code is
 * shaped so"). Failures are always rejected promises, never throws.
 */
export type Maybe<T> = T | Promise<T>;

export function isPromise<T>(value: Maybe<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** `next(value)` now if the value is here, else once it is; a throw becomes a rejection. */
export function andThen<T, R>(value: Maybe<T>, next: (value: T) => Maybe<R>): Maybe<R> {
  if (isPromise(value)) return value.then(next);
  try {
    return next(value);
  } catch (err) {
    return Promise.reject(err);
  }
}
