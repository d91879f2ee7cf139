// TokenSession, the programmatic API: each method states its intent and hands it to the one commit executor.
import type { NodeMiddleware } from '../../integrations/node';
import { TokenSessionError } from '../errors';
import { andThen } from '../maybe';
import type { StoreConstructor } from '../store/base-store';
import type { ExpressSessionStore } from '../store/types';
import { seedCall, type Callback } from './callback';
import { intentOf as intent, type CommitIntent, type TouchRequest } from './commit-plan';
import { copyData } from './data';
import type { SessionEventName, SessionListener } from './events';
import { OneTimeTokens } from './one-time-tokens';
import { resolveOptions, type TokenSessionOptions } from './options';
import { Owners, type SessionInfo } from './owners';
import { SessionRecords } from './session-records';
import { assertToken } from './tokens';
import { ttlMsOf } from './ttl';

export type { SessionInfo } from './owners';
export type { SessionEvent, SessionEventName, SessionListener } from './events';

/**
 * The shape of session data. Empty here; extend it to type `data` everywhere:
 * `declare module 'token-session' { interface SessionData { userId: string } }`.
 * The interface itself is `TokenSession.SessionData` (below): `require('token-session')` is the
 * class, so that augmentation lands in the class's namespace.
 */
export type SessionData = TokenSession.SessionData;

/** What `new` / `newWttl` resolve to. `sid` and `sessionId` are the same token. */
export interface NewSession<T> {
  sid: string;
  sessionId: string;
  data: T;
}

/**
 * Server-side sessions addressed by tokens. Every method returns a Promise, or, given a
 * trailing Node-style callback, calls it exactly once and returns undefined.
 */
export class TokenSession<T = SessionData> {
  /**
   * The EventEmitter base class that express-session store factories subclass. Set by the Node
   * entry (src/index.ts), which alone may import node:events; undefined on the web-standard path.
   */
  declare static readonly Store: StoreConstructor;

  /** The store sessions are kept in, as given (or the default session-memory-store). */
  readonly store: ExpressSessionStore;
  /** @internal The session records and the commit executor; the request lifecycle commits through it. */
  readonly records: SessionRecords<T>;
  readonly #owners: Owners<T>;
  readonly #once: OneTimeTokens;

  constructor(options?: TokenSessionOptions) {
    const resolved = resolveOptions(options);
    this.store = resolved.store;
    this.records = new SessionRecords<T>(resolved);
    this.#owners = new Owners(this.records, resolved);
    this.#once = new OneTimeTokens(this.records, resolved);
    const max = resolved.maxSessionsPerOwner;
    if (max !== undefined) this.records.capOwner = (owner, keep) => this.#owners.cap(owner, max, keep);
  }

  /** Starts a session with `data`; resolves to `{ sid, sessionId, data }`. Alias: `newSession`. */
  new(data: T): Promise<NewSession<T>>;
  new(data: T, callback: Callback<NewSession<T>>): void;
  new(...args: unknown[]) {
    return seedCall(args, ([data]) => this.create(data as T, undefined));
  }
  declare newSession: TokenSession<T>['new'];

  /** Like `new`, with this session's own idle TTL in seconds. */
  newWttl(data: T, ttlSeconds: number): Promise<NewSession<T>>;
  newWttl(data: T, ttlSeconds: number, callback: Callback<NewSession<T>>): void;
  newWttl(...args: unknown[]) {
    return seedCall(args, ([data, ttlSeconds]) => this.create(data as T, ttlSeconds));
  }

  /** The session's data, or `null` when unknown or expired. Touches when `autoTouch` is on. */
  get(sid: string): Promise<T | null>;
  get(sid: string, callback: Callback<T | null>): void;
  get(...args: unknown[]) {
    return seedCall(args, ([sid]) => this.load(sid, 'auto'));
  }

  /** The session's data, or `null`; restarts its idle TTL (written when `touchAfter` allows). Alias: `getNtouch`. */
  getAndTouch(sid: string): Promise<T | null>;
  getAndTouch(sid: string, callback: Callback<T | null>): void;
  getAndTouch(...args: unknown[]) {
    return seedCall(args, ([sid]) => this.load(sid, 'due'));
  }
  declare getNtouch: TokenSession<T>['getAndTouch'];

  /** The session's data, or `null`; never writes. */
  getNotTouch(sid: string): Promise<T | null>;
  getNotTouch(sid: string, callback: Callback<T | null>): void;
  getNotTouch(...args: unknown[]) {
    return seedCall(args, ([sid]) => this.load(sid, 'never'));
  }

  /** Replaces the data and restarts the TTL. Rejects `ERR_SESSION_NOT_FOUND` for a token that is not a live session. */
  set(sid: string, data: T): Promise<void>;
  set(sid: string, data: T, callback: Callback<void>): void;
  set(...args: unknown[]) {
    return seedCall(args, ([sid, data]) => this.replace(sid, data as T, undefined));
  }

  /** Like `set`, giving the session a new idle TTL in seconds; without one (1.x's form), the same as `set`. */
  setWttl(sid: string, data: T, ttlSeconds?: number): Promise<void>;
  setWttl(sid: string, data: T, callback: Callback<void>): void;
  setWttl(sid: string, data: T, ttlSeconds: number | undefined, callback: Callback<void>): void;
  setWttl(...args: unknown[]) {
    return seedCall(args, ([sid, data, ttlSeconds]) => this.replace(sid, data as T, ttlSeconds));
  }

  /**
   * Restarts the idle TTL (always written); `false` when there is no such session. 1.x's
   * `touch(sid, data, cb)` is accepted: the data is not written (the stored session is touched as it is).
   */
  touch(sid: string, data?: unknown): Promise<boolean>;
  touch(sid: string, callback: Callback<boolean>): void;
  touch(sid: string, data: unknown, callback: Callback<boolean>): void;
  touch(...args: unknown[]) {
    return seedCall(args, ([sid]) => this.restart(sid));
  }

  /** Ends the session; `true` if a live session was removed. */
  destroy(sid: string): Promise<boolean>;
  destroy(sid: string, callback: Callback<boolean>): void;
  destroy(...args: unknown[]) {
    return seedCall(args, ([sid]) => this.remove(sid));
  }

  /**
   * Moves the session to a new token and ends the old token at once; resolves to the new token.
   * The data stays, or, given `data` (1.x's `regenerate(sid, data, cb)`), becomes `data`.
   */
  regenerate(sid: string, data?: T): Promise<string>;
  regenerate(sid: string, callback: Callback<string>): void;
  regenerate(sid: string, data: T | undefined, callback: Callback<string>): void;
  regenerate(...args: unknown[]) {
    return seedCall(args, ([sid, data]) => this.move(sid, data as T | undefined));
  }

  /** The live sessions of `owner` (see `ownerKey`), each with a public id that is not its token. */
  list(owner: string): Promise<SessionInfo<T>[]>;
  list(owner: string, callback: Callback<SessionInfo<T>[]>): void;
  list(...args: unknown[]) {
    return seedCall(args, ([owner]) => this.#owners.list(owner as string));
  }

  /**
   * Ends every session of `owner` ("log out everywhere"), or every one but `except`, a public id
   * ("log out my other devices"); resolves to how many it ended.
   */
  destroyAll(owner: string, options?: { except?: string }): Promise<number>;
  destroyAll(owner: string, callback: Callback<number>): void;
  destroyAll(owner: string, options: { except?: string } | undefined, callback: Callback<number>): void;
  destroyAll(...args: unknown[]) {
    return seedCall(args, ([owner, options]) => this.#owners.destroyAll(owner as string, options));
  }

  /** Ends one session by its public id (from `list`); `true` if a live session was removed. */
  destroyById(id: string): Promise<boolean>;
  destroyById(id: string, callback: Callback<boolean>): void;
  destroyById(...args: unknown[]) {
    return seedCall(args, ([id]) => this.#owners.destroyById(id as string));
  }

  /**
   * A one-time token for a time-limited link or code (email verification, password reset). It
   * is never a session token: `get` and the middleware do not accept it. Its data is its own,
   * not the sessions' `T` (a code is made for a purpose: `{ userId, purpose: 'verify-email' }`):
   * any plain JSON object, refused otherwise as session data is (`ERR_INVALID_DATA`). Name its
   * type, `newOnce<VerifyEmail>(data, ttl)`, to have `data` checked against it.
   */
  newOnce<D extends object>(data: D, ttlSeconds: number): Promise<string>;
  newOnce<D extends object>(data: D, ttlSeconds: number, callback: Callback<string>): void;
  newOnce(...args: unknown[]) {
    return seedCall(args, ([data, ttlSeconds]) => this.#once.issue(data as object, ttlSeconds as number));
  }

  /**
   * The data of a one-time token, exactly once: every later call, and every call that loses a
   * race for it, gets `null` (across processes with `redisIndex`). `D` says what the code was
   * issued with, `consume<VerifyEmail>(code)`, as a type argument of `JSON.parse`'s result
   * would: the data comes back as stored, unchecked; without one, `Record<string, unknown>`.
   */
  consume<D extends object = Record<string, unknown>>(token: string): Promise<D | null>;
  consume<D extends object = Record<string, unknown>>(token: string, callback: Callback<D | null>): void;
  consume(...args: unknown[]) {
    return seedCall(args, ([token]) => this.#once.consume(token as string));
  }

  /**
   * Listens for session events, for an audit log: `create`, `destroy`, `regenerate` and `expire`
   * (a session the engine found dead on read; a store that expires sessions itself removes them
   * unseen), each with `{ id, owner, at }`: `id` the public id, never a token. Listeners run once
   * the store has the change; one that throws or rejects is logged (NODE_DEBUG=token-session),
   * and fails nothing.
   */
  on(event: SessionEventName, listener: SessionListener): this {
    this.records.events.on(event, listener);
    return this;
  }

  off(event: SessionEventName, listener: SessionListener): this {
    this.records.events.off(event, listener);
    return this;
  }

  /**
   * The seed API's Express middleware for this instance: `app.use(tokenSession.express)`, the
   * same as `expressTokenSession(tokenSession)` from token-session/express. Defined by the Node
   * entry (src/index.ts): the engine knows no HTTP, and the web-standard path no Express.
   */
  declare readonly express: NodeMiddleware;

  private async create(data: T, ttlSeconds: unknown): Promise<NewSession<T>> {
    const ttlMs = ttlSeconds === undefined ? this.records.defaultTtlMs : ttlMsOf(ttlSeconds);
    const token = this.records.newToken();
    const fresh = { ttlMs, createdAt: Date.now() };
    const { record } = await this.records.commit(intent(null, this.records.keyOf(token), { fresh, data }), null);
    return { sid: token, sessionId: token, data: copyData(record!.data) };
  }

  /**
   * A read that never writes is a plain read. One that may touch is read under the session's
   * queue and planned on that read: one round trip, two when the touch is due.
   */
  private async load(sid: unknown, touch: TouchRequest): Promise<T | null> {
    assertToken(sid);
    const record = touch === 'never'
      ? (await this.records.findShaped(sid))?.record ?? null
      : (await this.#commitTo(sid, (key) => intent(key, key, { touch }))).record ?? null;
    return record === null ? null : copyData(record.data);
  }

  private async replace(sid: unknown, data: T, ttlSeconds: unknown): Promise<void> {
    const ttlMs = ttlSeconds === undefined ? undefined : ttlMsOf(ttlSeconds);
    const { reason } = await this.#commitTo(sid, (key) => intent(key, key, { data, baseline: null, ttlMs }));
    if (reason === 'gone') throw notFound();
  }

  private async restart(sid: unknown): Promise<boolean> {
    const { reason } = await this.#commitTo(sid, (key) => intent(key, key, { touch: 'force' }));
    return reason === 'touch';
  }

  private async remove(sid: unknown): Promise<boolean> {
    const { reason } = await this.#commitTo(sid, (key) => intent(key, null));
    return reason === 'erase';
  }

  private async move(sid: unknown, data: T | undefined): Promise<string> {
    const token = this.records.newToken();
    const replaced = data === undefined ? {} : { data, baseline: null };
    const { reason } = await this.#commitTo(sid, (key) => intent(key, this.records.keyOf(token), replaced));
    if (reason === 'gone') throw notFound();
    return token;
  }

  /** Commits an intent on the session of `sid`, read under the commit's queue (a malformed token throws first). */
  #commitTo(sid: unknown, intentFor: (key: string) => CommitIntent<T>) {
    assertToken(sid);
    const { records } = this;
    // A session 1.x wrote is moved to its key of today first (see `adopt1xSessions`).
    if (records.adopts1xSessions) return andThen(records.findShaped(sid), () => records.commit(intentFor(records.keyOf(sid)), undefined));
    return records.commit(intentFor(records.keyOf(sid)), undefined);
  }
}

/*
 * The class's own namespace, declared beside it (a namespace merges with a class only there), so
 * that `declare module 'token-session' { interface SessionData {...} }` always finds a namespace to
 * extend. Were the interface only in the names src/index.ts adds by augmentation, TypeScript would
 * refuse a user's augmentation that it happens to merge before ours (TS2671: the module "resolves
 * to a non-module entity"), as it does for a `.d.ts` with `export {}` listed before the app's files.
 */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace TokenSession {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface SessionData {}
}

function notFound(): TokenSessionError {
  return new TokenSessionError('ERR_SESSION_NOT_FOUND', 'no live session for this token (never issued, destroyed or expired)');
}

TokenSession.prototype.newSession = TokenSession.prototype.new;
TokenSession.prototype.getNtouch = TokenSession.prototype.getAndTouch;
