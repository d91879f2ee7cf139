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
    (result) => onItsOwnTick(() => callback(null, result)),
    (err: Error) => onItsOwnTick(() => callback(err)),
  );
  return undefined;
}

/** `process.nextTick` where there is one (Node, Bun, Deno), else a microtask: the callback runs outside the promise's reaction either way. */
const onItsOwnTick: (run: () => void) => void =
  typeof (globalThis as { process?: { nextTick?: unknown } }).process?.nextTick === 'function' ? (run) => process.nextTick(run) : (run) => queueMicrotask(run);

/**
 * A public method called as the seed API allowed: a function in last place is the callback,
 * whatever stands before it (`destroy(cb)` with no sid, `regenerate(sid, data, cb)`), and `run`
 * gets the arguments before it. A throw in `run` reaches the callback as a rejection would.
 */
export function seedCall<R>(args: unknown[], run: (params: unknown[]) => Promise<R>): Promise<R> | undefined {
  const last = args.length - 1;
  const callback = typeof args[last] === 'function' ? (args[last] as Callback<R>) : undefined;
  let promise: Promise<R>;
  try {
    promise = run(callback === undefined ? args : args.slice(0, last));
  } catch (err) {
    promise = Promise.reject(err);
  }
  return settle(promise, callback);
}
