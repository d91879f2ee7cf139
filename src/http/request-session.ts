// The request's session handle (`req.tokenSession`): a record of what the handler asked for, committed by the engine.
import type { ClientInfo, CommitIntent, Lifetime } from '../core/commit-plan';
import { copyData } from '../core/data';
import { SerialQueue } from '../core/serial';
import type { CommitOutcome, LoadedSession, SessionRecords } from '../core/session-records';
import type { SessionRecord } from '../store/record';
import type { SessionData, TokenSession } from '../core/token-session';
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
  /**
   * Epoch ms of the sign-in this session stands for: its creation, or its last `reauthenticate()`
   * (`regenerate()` keeps it); `null` without a session. What `required: { maxAuthAge }` checks.
   */
  readonly authenticatedAt: number | null;
  /** A fresh sign-in (the user proved who they are again): a new token, as `regenerate()`, and `authenticatedAt` now. */
  reauthenticate(): string;
  /** Ends the session. */
  destroy(): void;
  /**
   * Ends every other session of this session's owner ("log out my other devices", `ownerKey`),
   * now; resolves to how many it ended. This one stays.
   */
  destroyOthers(): Promise<number>;
  /** Writes now what would be written at commit. */
  save(): Promise<void>;
  /** Restarts the TTL at commit, whatever `touchAfter` and `autoTouch` say. */
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

/**
 * One request's session: what the handler asked for (a new session, a new token, changed data,
 * an end, a touch), kept in memory. At commit (at the latest just before the response is sent)
 * it becomes an intent that the engine plans and executes; this class decides nothing.
 */
export class RequestSession<T = SessionData> implements TokenSessionHandle<T> {
  readonly sessions: TokenSession<T>;
  readonly tokenStatus: TokenStatus;
  readonly #records: SessionRecords<T>;
  #id: string | null;
  /** The store key of `#id`, kept so a request hashes its token once. */
  #key: string | null;
  #data: T;
  readonly #requestToken: string | null;
  /**
   * The session as the store holds it, as far as this request knows: loaded, or written by its
   * last commit. `record` is `undefined` once the final commit wrote it: a later commit (a
   * `save()` after the response) has it read again.
   */
  #stored: { key: string; record: SessionRecord<T> | undefined } | null;
  /** The data as the handler last saw it stored (never mutated): the changes are what differs from it. */
  #baseline: T | null;
  /** Set by `create()` until committed: a session started from scratch. */
  #fresh: Lifetime | null = null;
  #touch: 'force' | 'auto' = 'auto';
  #authenticatedAt: number | null;
  /** Set by `reauthenticate()` until its move is committed: the stored `authenticatedAt` becomes `#authenticatedAt`. */
  #reauthenticated = false;
  /** The request, for a custom `genid(req)`; not kept otherwise (see the constructor). */
  readonly #raw: unknown;
  /** With `metadata`: who is asking, told by the adapter when a session is made (`clientOf(source)`). */
  readonly #clientOf: ((source: any) => ClientInfo) | undefined;
  readonly #clientSource: unknown;
  #client: ClientInfo | undefined;
  /** Commits of this request (an unawaited `save()` and the final commit) never overlap. */
  #commits: SerialQueue | undefined;
  #finalCommitStarted = false;

  constructor(
    sessions: TokenSession<T>,
    presented: PresentedToken,
    loaded: LoadedSession<T> | null,
    raw: unknown,
    clientOf?: (source: any) => ClientInfo,
    clientSource?: unknown,
  ) {
    this.sessions = sessions;
    this.#records = sessions.records;
    // Kept only for a genid that may read it: an adapter that keys this handle by the request in
    // a WeakMap would otherwise keep every request alive into V8's old generation (a WeakMap
    // value pointing back at its key survives the young-generation GC).
    this.#raw = this.#records.genidReadsRequest ? raw : undefined;
    // Likewise kept only where it is used.
    this.#clientOf = this.#records.recordsMetadata ? clientOf : undefined;
    this.#clientSource = this.#clientOf === undefined ? undefined : clientSource;
    this.#requestToken = presented.token;
    this.#stored = loaded;
    if (loaded) {
      // The handler gets its own copy; the store's object is the baseline for change detection.
      this.#baseline = loaded.record.data;
      this.#data = copyData(loaded.record.data);
      this.#id = presented.token;
      this.#key = loaded.key;
      this.#authenticatedAt = loaded.record.authenticatedAt ?? loaded.record.createdAt;
      this.tokenStatus = 'live';
    } else {
      this.#baseline = null;
      this.#data = NO_SESSION_DATA;
      this.#id = null;
      this.#key = null;
      this.#authenticatedAt = null;
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
    return this.#key === null ? null : publicIdOf(this.#key);
  }

  get issuedToken(): string | null {
    return this.#id !== null && this.#id !== this.#requestToken ? this.#id : null;
  }

  create(data: T = {} as T, options: { ttl?: number } = {}): string {
    // Checked here too, so that data that cannot be stored fails where the handler passed it.
    this.#data = this.#records.storable(data);
    const ttlMs = options.ttl === undefined ? this.#records.defaultTtlMs : ttlMsOf(options.ttl);
    this.#setId(this.#records.newToken(this.#raw));
    this.#fresh = { ttlMs, createdAt: Date.now() };
    this.#authenticatedAt = this.#fresh.createdAt;
    this.#reauthenticated = false;
    this.#client = this.#clientOf?.(this.#clientSource);
    return this.#id!;
  }

  get authenticatedAt(): number | null {
    return this.#authenticatedAt;
  }

  reauthenticate(): string {
    if (this.#id === null) throw noSession('reauthenticate() needs a session; call create(data) first');
    this.#setId(this.#records.newToken(this.#raw));
    this.#authenticatedAt = Date.now();
    this.#reauthenticated = true;
    return this.#id!;
  }

  regenerate(): string {
    if (this.#id === null) throw noSession('regenerate() needs a session; call create(data) first');
    this.#setId(this.#records.newToken(this.#raw));
    return this.#id!;
  }

  destroy(): void {
    this.#setId(null);
    this.#fresh = null;
    this.#data = NO_SESSION_DATA;
    this.#authenticatedAt = null;
    this.#reauthenticated = false;
  }

  touch(): void {
    this.#touch = 'force';
  }

  async destroyOthers(): Promise<number> {
    if (this.#id === null) throw noSession('destroyOthers() needs a session');
    const owner = this.#records.ownerOfData(this.#data);
    return owner === undefined ? 0 : this.sessions.destroyAll(owner, { except: this.publicId! });
  }

  /** Writes now what would be written at commit. */
  save(): Promise<void> {
    return Promise.resolve(this.commit());
  }

  #setId(token: string | null): void {
    this.#id = token;
    this.#key = token === null ? null : this.#records.keyOf(token);
  }

  /** @internal Whether this is the first end-of-request commit (`false` once one has started). */
  startFinalCommit(): boolean {
    if (this.#finalCommitStarted) return false;
    this.#finalCommitStarted = true;
    return true;
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
    const stored = this.#stored;
    const intent: CommitIntent<T> = {
      from: stored === null ? null : stored.key,
      to: this.#key,
      fresh: this.#fresh,
      data: this.#data,
      baseline: this.#baseline,
      ttlMs: undefined,
      touch: this.#touch,
      once: false,
      authenticatedAt: this.#reauthenticated ? this.#authenticatedAt! : undefined,
      client: this.#client,
      keepsRecord: !this.#finalCommitStarted,
    };
    this.#touch = 'auto';
    return andThen(this.#records.commit(intent, stored === null ? null : stored.record), (outcome) => this.#committed(outcome));
  }

  /** Where the session stands after a commit: what it wrote is the new baseline, or the session is gone. */
  #committed({ reason, record }: CommitOutcome<T>): void {
    switch (reason) {
      case null:
        return;
      case 'erase':
        this.#stored = null;
        return;
      case 'gone': // ended by another request, or expired, meanwhile
        this.#stored = null;
        this.destroy();
        return;
      case 'touch':
        this.#stored = this.#written(record!);
        return;
      case 'write-new':
      case 'move':
      case 'merge':
        this.#stored = this.#written(record!);
        this.#baseline = copyData(this.#data);
        this.#fresh = null;
        this.#reauthenticated = false;
    }
  }

  /**
   * What this request wrote. The record is kept only for a commit still to come: the handle
   * lives on in the framework's request object, and a record held there costs the
   * young-generation GC (BENCHMARKS.md, "Why the code is shaped so").
   */
  #written(record: SessionRecord<T> | undefined): { key: string; record: SessionRecord<T> | undefined } {
    return { key: this.#key!, record: this.#finalCommitStarted ? undefined : record };
  }
}
