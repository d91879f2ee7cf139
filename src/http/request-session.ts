import type { LoadedSession, Lifetime, SessionStore } from '../core/session-store';
import type { SessionData, TokenSession } from '../core/token-session';
import { changesOf, copyData, sameJson } from '../core/data';
import { SerialQueue } from '../core/serial';
import { publicIdOf } from '../core/tokens';
import { ttlMsOf } from '../core/ttl';
import { TokenSessionError } from '../errors';
import { andThen, type Maybe } from '../maybe';
import type { PresentedToken } from './request-token';

/**
 * What the request's token turned out to be: no token, a live session, a well-formed token
 * with no live session behind it (unknown, expired, destroyed), or a malformed one.
 */
export type TokenStatus = 'none' | 'live' | 'unknown' | 'malformed';

/** `req.tokenSession` (Koa: `ctx.tokenSession`, Fastify and Hapi: `request.tokenSession`). */
export interface TokenSessionHandle<T = SessionData> {
  /** The token of the current session, or `null` when there is none. */
  readonly id: string | null;
  /** The session data; an empty object that refuses writes (`ERR_NO_SESSION`) when there is no session. */
  data: T;
  /** What the request's token turned out to be. */
  readonly tokenStatus: TokenStatus;
  /**
   * The public id of the current session, as `list()` shows it (to mark "this device" in a
   * list of sessions), or `null`. Derived one way from the token; it never leads back to it.
   */
  readonly publicId: string | null;
  /** The token this request issued (by `create` or `regenerate`), sent back in the response header. */
  readonly issuedToken: string | null;
  /** Starts a session (ending the current one, if any) and returns its token. Written at commit. */
  create(data?: T, options?: { ttl?: number }): string;
  /** Moves the session to a new token, same data; call it on login or privilege change. */
  regenerate(): string;
  /** Ends the session. */
  destroy(): void;
  /** Writes now what would be written at commit. */
  save(): Promise<void>;
  /** Restarts the TTL at commit, whatever `touchAfter` says. */
  touch(): void;
  /** The TokenSession instance (for `list`, `destroyAll`, `newOnce`, ...). */
  readonly sessions: TokenSession<T>;
}

/**
 * The data of a request without a session: reads find nothing, writes throw, because data
 * written there would be lost (there is no session to keep it) and a silent loss is worse.
 */
const NO_SESSION_DATA: any = new Proxy(Object.freeze({}), {
  set: refuseWrite,
  defineProperty: refuseWrite,
  deleteProperty: refuseWrite,
  setPrototypeOf: refuseWrite,
});

function refuseWrite(): never {
  throw noSession('this request has no session to keep data in; call create(data) first');
}

function noSession(message: string): TokenSessionError {
  return new TokenSessionError('ERR_NO_SESSION', message);
}

/** Where this request's session stands in the store. */
interface Stored<T> {
  key: string;
  /** The record as loaded, for the touch decision; `null` once this request wrote its own. */
  record: LoadedSession<T>['record'] | null;
}

/** What a commit does, decided from the request's state alone. */
export type CommitAction = 'erase' | 'write' | 'touch' | null;

export function decideCommit(state: {
  /** The request still has a session (no `destroy()` without a later `create()`). */
  hasSession: boolean;
  /** The store holds a record this request found or wrote. */
  hasStoredRecord: boolean;
  /** `create()` or `regenerate()` gave the session a token other than the stored one. */
  movedToNewToken: boolean;
  dataChanged: boolean;
  touchDue: boolean;
}): CommitAction {
  if (!state.hasSession) return state.hasStoredRecord ? 'erase' : null;
  if (state.movedToNewToken || state.dataChanged) return 'write';
  return state.touchDue ? 'touch' : null;
}

/**
 * One request's session, kept in memory and committed once (at the latest just before the
 * response is sent): the data if it changed, else a touch if due, else nothing.
 */
export class RequestSession<T = SessionData> implements TokenSessionHandle<T> {
  readonly sessions: TokenSession<T>;
  readonly tokenStatus: TokenStatus;
  readonly #records: SessionStore<T>;
  #id: string | null;
  /** The store key of `#id`, kept so a request hashes its token once. */
  #idKey: string | null;
  #data: T;
  #requestToken: string | null;
  /** The session this request found or last wrote; removed at commit if `id` moved away from it. */
  #stored: Stored<T> | null;
  /** The data as the store has it (never mutated), to tell at commit whether the handler changed it. */
  #baseline: unknown;
  /** The TTL and start of a session `create()` made: only such a session is written whole. */
  #lifetime: Lifetime | null = null;
  #forceTouch = false;
  /** `create()` was called: the commit writes a new session whole, not changes to the loaded one. */
  #created = false;
  /** The request, for a custom `genid(req)`; not kept otherwise (see the constructor). */
  #raw: unknown;
  /** Commits of this request (an unawaited `save()` and the final commit) never overlap. */
  #commits: SerialQueue | undefined;
  #finalCommitStarted = false;

  constructor(sessions: TokenSession<T>, presented: PresentedToken, loaded: LoadedSession<T> | null, raw: unknown) {
    this.sessions = sessions;
    this.#records = sessions.records;
    // Kept only for a genid that may read it. The Node middleware keys this handle by the request
    // in a WeakMap, and V8's young-generation GC keeps a WeakMap key alive while its value points
    // back at it: every request would then live on into the old generation (measured on Express).
    this.#raw = this.#records.genidReadsRequest ? raw : undefined;
    this.#requestToken = presented.token;
    if (loaded) {
      // The handler gets its own copy; the store's object is the baseline for change detection.
      this.#baseline = loaded.record.data;
      this.#data = copyData(loaded.record.data);
      this.#id = presented.token;
      this.#idKey = loaded.key;
      this.#stored = loaded;
      this.tokenStatus = 'live';
    } else {
      this.#baseline = undefined;
      this.#data = NO_SESSION_DATA;
      this.#id = null;
      this.#idKey = null;
      this.#stored = null;
      this.tokenStatus = presented.token !== null ? 'unknown' : presented.presented ? 'malformed' : 'none';
    }
  }

  get id(): string | null {
    return this.#id;
  }

  get data(): T {
    return this.#data;
  }

  set data(value: T) {
    if (this.#id === null) refuseWrite();
    this.#data = value;
  }

  get publicId(): string | null {
    return this.#idKey === null ? null : publicIdOf(this.#idKey);
  }

  get issuedToken(): string | null {
    return this.#id !== null && this.#id !== this.#requestToken ? this.#id : null;
  }

  create(data: T = {} as T, options: { ttl?: number } = {}): string {
    const stored = this.#records.storable(data);
    const ttlMs = options.ttl === undefined ? this.#records.defaultTtlMs : ttlMsOf(options.ttl);
    this.#setId(this.#records.newToken(this.#raw));
    this.#data = stored;
    this.#lifetime = { ttlMs, createdAt: Date.now() };
    this.#created = true;
    return this.#id!;
  }

  regenerate(): string {
    if (this.#id === null) throw noSession('regenerate() needs a session; call create(data) first');
    this.#setId(this.#records.newToken(this.#raw));
    return this.#id!;
  }

  destroy(): void {
    this.#setId(null);
    this.#data = NO_SESSION_DATA;
  }

  #setId(token: string | null): void {
    this.#id = token;
    this.#idKey = token === null ? null : this.#records.keyOf(token);
  }

  /** @internal Whether this is the first end-of-request commit (`false` once one has started). */
  startFinalCommit(): boolean {
    if (this.#finalCommitStarted) return false;
    this.#finalCommitStarted = true;
    return true;
  }

  touch(): void {
    this.#forceTouch = true;
  }

  /** Writes now what would be written at commit. */
  save(): Promise<void> {
    return Promise.resolve(this.commit());
  }

  /**
   * @internal The commit: at once when the store answers at once. Commits never overlap: an
   * unawaited `save()` and the final commit queue up, and a failed one does not stop the next.
   */
  commit(): Maybe<void> {
    this.#commits ??= new SerialQueue();
    return this.#commits.run(() => this.#commit());
  }

  #commit(): Maybe<void> {
    const records = this.#records;
    const stored = this.#stored;
    const key = this.#idKey;
    if (key === null && stored === null) return undefined; // no session, before or now: the common anonymous request
    const loadedRecord = stored?.record ?? null;
    const action = decideCommit({
      hasSession: key !== null,
      hasStoredRecord: stored !== null,
      movedToNewToken: stored?.key !== key,
      dataChanged: key !== null && !sameJson(this.#data, this.#baseline),
      // A record this request wrote itself has a fresh expiry already.
      touchDue: loadedRecord !== null && (this.#forceTouch || records.isTouchDue(loadedRecord)),
    });
    const forceTouch = this.#forceTouch;
    this.#forceTouch = false;
    switch (action) {
      case 'erase':
        return andThen(records.erase(stored!.key), () => {
          this.#stored = null;
        });
      case 'write':
        return this.#created || stored === null ? this.#writeNew(stored, key!) : this.#writeChanges(stored, key!);
      case 'touch':
        return andThen(records.refresh(key!, forceTouch), () => {
          this.#stored = { key: key!, record: null };
        });
      case null:
        return undefined;
    }
  }

  /** A session `create()` made: written whole; the one it replaces, if any, is removed. */
  #writeNew(replaced: Stored<T> | null, key: string): Maybe<void> {
    const records = this.#records;
    // Always a fresh, checked copy: a store may keep the very object it is given.
    const data = records.storable(this.#data);
    const written = replaced && replaced.key !== key
      ? records.moveRecord(replaced.key, key, data, this.#lifetime!)
      : records.persist(key, data, this.#lifetime!);
    return andThen(written, () => this.#committed(key, data));
  }

  /**
   * The loaded session (moved to `key` by a regenerate): only the keys this request changed are
   * written, onto the session as the store has it by now. If it is gone (destroyed by another
   * request, or expired), nothing is written and this request has no session any more.
   */
  #writeChanges(loaded: Stored<T>, key: string): Maybe<void> {
    const changes = changesOf(this.#data as object, this.#baseline as object);
    return andThen(this.#records.mergeChanges(loaded.key, key, changes), (kept) => {
      if (kept) return this.#committed(key, copyData(this.#data));
      this.#stored = null;
      this.#setId(null);
      this.#data = NO_SESSION_DATA;
    });
  }

  #committed(key: string, baseline: T): void {
    this.#stored = { key, record: null };
    this.#baseline = baseline;
    this.#created = false;
  }
}

