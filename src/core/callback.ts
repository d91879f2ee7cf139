// The callback-or-promise convention of every public method.
/** A Node-style callback, called exactly once with `(err)` or `(null, result)`. */
export type Callback<R> = (err: Error | null, result?: R) => void;

/**
 * Every public method returns its promise, or, given a trailing callback, calls it instead
 * and returns undefined. The callback runs on its own tick, so a callback that throws
 * surfaces as an uncaught exception (as with any Node callback API), never as a rejected
 * promise nobody handles, and is never called a second time.
 */
export function settle<R>(promise: Promise<R>, callback: Callback<R> | undefined): Promise<R> | undefined {
  if (typeof callback !== 'function') return promise;
  promise.then(
    (result) => process.nextTick(callback, null, result),
    (err: Error) => process.nextTick(callback, err),
  );
  return undefined;
}
