// Queues that run tasks one at a time, in order: a request's own commits, and each session's commits.
import { andThen, isPromise, type Maybe } from '../maybe';

/**
 * Runs tasks one at a time, in the order they came, each after the previous one settled (a
 * failed task does not stop the next). A task with nothing under way runs at once, so a store
 * that answers at once still answers at once.
 */
export class SerialQueue {
  #tail: Promise<void> | undefined;

  /** Runs `task` after the tasks before it; `onIdle` is called once nothing is left under way. */
  run<R>(task: () => Maybe<R>, onIdle?: () => void): Maybe<R> {
    const result = this.#tail ? this.#tail.then(task) : andThen(undefined, task);
    if (isPromise(result)) this.hold(result, onIdle);
    return result;
  }

  /** Makes the tasks that come after wait for `pending`, a task already started. */
  hold(pending: Promise<unknown>, onIdle?: () => void): void {
    const settled = pending.then(ignore, ignore);
    this.#tail = settled;
    void settled.then(() => {
      if (this.#tail !== settled) return;
      this.#tail = undefined;
      onIdle?.();
    });
  }
}

/**
 * One `SerialQueue` per key: a commit reads the session and writes it back, and two commits of
 * one session in this process must not interleave their reads and writes. A key is dropped
 * once nothing is under way for it.
 */
export class SerialByKey {
  readonly #queues = new Map<string, SerialQueue>();

  run<R>(key: string, task: () => Maybe<R>): Maybe<R> {
    const queue = this.#queues.get(key);
    if (queue !== undefined) return queue.run(task, () => this.#queues.delete(key));
    // Nothing under way for this key: run now, and make a queue only for a task still to finish.
    const result = andThen(undefined, task);
    if (isPromise(result)) {
      const started = new SerialQueue();
      started.hold(result, () => this.#queues.delete(key));
      this.#queues.set(key, started);
    }
    return result;
  }

  /** Keys with a task under way or queued (for tests: none may be left behind). */
  get size(): number {
    return this.#queues.size;
  }
}

const ignore = (): void => undefined;
