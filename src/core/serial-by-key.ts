import { andThen, isPromise, type Maybe } from '../maybe';

/**
 * Runs tasks on one key one at a time, in the order they came: a commit reads the session and
 * writes it back, and two commits of one session in this process must not interleave their
 * reads and writes. A task on a key with nothing under way runs at once, so a store that
 * answers at once still answers at once. Keys are dropped when their last task settles.
 */
export class SerialByKey {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<R>(key: string, task: () => Maybe<R>): Maybe<R> {
    const tail = this.#tails.get(key);
    const result = tail ? tail.then(task) : andThen(undefined, task);
    if (!isPromise(result)) return result;
    const settled = result.then(ignore, ignore);
    this.#tails.set(key, settled);
    void settled.then(() => {
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task under way or queued (for tests: none may be left behind). */
  get size(): number {
    return this.#tails.size;
  }
}

const ignore = (): void => undefined;
