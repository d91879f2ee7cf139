// Session events for audit logs: create, destroy, regenerate and expire, each called once the store has the change, and guarded so that a listener that throws fails nothing.
import { TokenSessionError } from '../errors';
import { debug } from './debug';

export type SessionEventName = 'create' | 'destroy' | 'regenerate' | 'expire';

/** What a listener receives. `id` is the session's public id (as `list()` shows it), never its token. */
export interface SessionEvent {
  id: string;
  /** The owner `ownerKey` names, when the session has one. */
  owner: string | undefined;
  /** Epoch ms. */
  at: number;
  /** `regenerate` only: the public id the session had before. */
  previousId?: string;
}

export type SessionListener = (event: SessionEvent) => unknown;

const NAMES: ReadonlySet<string> = new Set<SessionEventName>(['create', 'destroy', 'regenerate', 'expire']);

export class SessionEvents {
  readonly #listeners = new Map<SessionEventName, SessionListener[]>();

  on(name: SessionEventName, listener: SessionListener): void {
    check(name, listener);
    this.#listeners.set(name, [...(this.#listeners.get(name) ?? []), listener]);
  }

  off(name: SessionEventName, listener: SessionListener): void {
    check(name, listener);
    const left = (this.#listeners.get(name) ?? []).filter((l) => l !== listener);
    if (left.length > 0) this.#listeners.set(name, left);
    else this.#listeners.delete(name);
  }

  /** Whether anyone listens at all: a commit then looks at what it did, otherwise not. */
  get listening(): boolean {
    return this.#listeners.size > 0;
  }

  /** Calls each listener with the event (built only when one listens: a public id is a hash); a throw or a rejection is logged (NODE_DEBUG=token-session), never passed on. */
  emit(name: SessionEventName, event: () => SessionEvent): void {
    const listeners = this.#listeners.get(name);
    if (listeners === undefined) return;
    const payload = event();
    for (const listener of listeners) {
      try {
        const returned = listener(payload);
        if (returned instanceof Promise) returned.catch((err: unknown) => debug('a "%s" listener failed: %o', name, err));
      } catch (err) {
        debug('a "%s" listener threw: %o', name, err);
      }
    }
  }
}

function check(name: unknown, listener: unknown): void {
  if (typeof name !== 'string' || !NAMES.has(name)) {
    throw new TokenSessionError('ERR_OPTIONS', `there is no session event ${JSON.stringify(name)} (events: ${[...NAMES].join(', ')})`);
  }
  if (typeof listener !== 'function') throw new TokenSessionError('ERR_OPTIONS', `a "${name}" listener must be a function`);
}
