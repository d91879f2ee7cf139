// Session records in the store: the reads, and the one executor every write of a session goes through.
import { debug } from './debug';
import { SessionEvents } from './events';
import { andThen, isPromise, type Maybe } from '../maybe';
import { expiresAt, isLive, isSessionRecord, type SessionRecord } from '../store/record';
import { toStoreCalls, type StoreCalls } from '../store/store-calls';
import { applySessionChange, buildsOnStored, changeOf, ownerOf, commitReason, intentOf, planCommit, reasonWithoutRecord, type CommitIntent, type CommitPlan, type CommitReason } from './commit-plan';
import { toStorableData } from './data';
import type { ResolvedOptions } from './options';
import { SerialByKey } from './serial';
import { defaultGenId, issueToken, publicIdOf, storeKeyOf } from './tokens';

/** A live record as read from the store, under its store key. */
export interface LoadedSession<T> {
  key: string;
  record: SessionRecord<T>;
}

/** What a commit did, and the record now stored under the intent's `to` (`null` when there is none): a run plan, or nothing done. */
export interface CommitOutcome<T> {
  reason: CommitReason;
  /** `undefined`: written, and not read back (the intent did not keep it). */
  record: SessionRecord<T> | null | undefined;
}

/** One set of queues per store, so two engines on one store in one process are ordered too. */
const queuesByStore = new WeakMap<object, SerialByKey>();

function queuesOf(store: object): SerialByKey {
  let queues = queuesByStore.get(store);
  if (queues === undefined) queuesByStore.set(store, (queues = new SerialByKey()));
  return queues;
}

/** The kind of record a key holds: a session, or a one-time token's record. */
type RecordKind = 'session' | 'once';

/**
 * The sessions as the store keeps them: tokens to keys, live records out, and `commit`, the one
 * executor that runs every write (plans made by `planCommit`), with the owner index kept in step.
 * Its calls answer at once when the store does (see Maybe); a malformed token throws at once.
 */
export class SessionRecords<T> {
  readonly #options: ResolvedOptions;
  readonly #storeCalls: StoreCalls;
  /** The commits of one session run one at a time in this process, erases included. */
  readonly #queues: SerialByKey;
  /** `sessions.on(...)`: told of each session made, ended, moved to a new token, or found expired. */
  readonly events = new SessionEvents();
  /** Set by the engine with `maxSessionsPerOwner`: ends the owner's oldest sessions beyond it, never `keep`. */
  capOwner: ((owner: string, keep: string) => Promise<unknown>) | undefined;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#storeCalls = toStoreCalls(options.store, options.storeTimeout);
    this.#queues = queuesOf(options.store);
  }

  /**
   * The live session of a token the caller has already checked with `isTokenShaped` (the request
   * path does, to tell a malformed token from an unknown one without an exception), or `null`.
   */
  findShaped(token: string): Maybe<LoadedSession<T> | null> {
    const key = this.keyOf(token);
    const found = andThen(this.readLive(key, 'session'), (record) => (record === null ? null : { key, record }));
    if (!this.#options.adopt1xSessions) return found;
    return andThen(found, (loaded) => loaded ?? this.#adopt1xSession(token, key));
  }

  /**
   * A session token-session 1.x wrote for `token`, moved to where sessions live now, or `null`.
   * 1.x kept the data itself, with a `cookie` of `{ maxAge: 0 }`, under the token as it is, and
   * left its expiry to the store: what the store still holds is alive. It is written again as a
   * record of today under the token's key (a fresh idle TTL, as 1.x's reads touched it) and the
   * old key removed, in one commit.
   */
  #adopt1xSession(token: string, key: string): Maybe<LoadedSession<T> | null> {
    return andThen(this.#storeCalls.get(token), (value) => {
      if (!is1xSession(value)) return null;
      const { cookie: _cookie, ...data } = value;
      const fresh = { ttlMs: this.#options.ttlMs, createdAt: Date.now() };
      return andThen(this.commit(intentOf<T>(token, key, { fresh, data: data as T }), null), ({ record }) => (record ? { key, record } : null));
    });
  }

  /**
   * The live record of that kind under `key`, or `null`. This is the one place that tells a
   * session from a one-time token's record, and a live record from a dead one (dropped on the way).
   */
  readLive(key: string, kind: RecordKind): Maybe<SessionRecord<T> | null> {
    return andThen(this.#storeCalls.get(key), (value) => this.#liveRecord(key, value, kind));
  }

  #liveRecord(key: string, value: unknown, kind: RecordKind): SessionRecord<T> | null {
    if (value === null) return null;
    if (!isSessionRecord(value)) {
      debug('ignoring a value that is not a session record under a token key');
      return null;
    }
    if ((value.once === true) !== (kind === 'once')) return null;
    if (!isLive(value, Date.now(), this.#options)) {
      // Some stores never expire anything themselves; the dead record goes now, off the caller's path.
      const erased = this.#queues.run(key, () => this.#erase(key));
      if (isPromise(erased)) erased.catch((err: unknown) => debug('dropping an expired session failed: %o', err));
      if (kind === 'session') this.events.emit('expire', () => ({ id: publicIdOf(key), owner: value.owner, at: Date.now() }));
      return null;
    }
    return value as SessionRecord<T>;
  }

  /**
   * Plans and runs a commit, in this process after every commit of the same session already
   * under way. `loaded` is the record under `intent.from` as the caller read it (`null`: none),
   * or `undefined` for a caller that has not read it. Nothing is read or written when the plan
   * is to do nothing; a plan that builds on the stored session is made again against the record
   * as the store has it by then, so a late commit never brings back a session ended meanwhile.
   * A store that applies changes itself is handed such a plan as a change instead, at once.
   */
  commit(intent: CommitIntent<T>, loaded: SessionRecord<T> | null | undefined): Maybe<CommitOutcome<T>> {
    const options = this.#options;
    const { from } = intent;
    let decided: CommitReason | undefined;
    if (from === null || loaded !== undefined) {
      const known = from === null ? null : loaded!;
      decided = commitReason(intent, known, Date.now(), options);
      if (decided === null) return { reason: decided, record: known };
      if (from === null || !buildsOnStored(decided)) {
        return this.#queues.run((from ?? intent.to)!, () => this.#run(planCommit(intent, known, Date.now(), options)!, known, intent.once));
      }
    }
    if (this.#storeCalls.update) {
      const reason = decided ?? reasonWithoutRecord(intent);
      // Not queued behind this process's other commits of the session: the store orders them
      // itself, atomically, against every writer in every process (a queue here would only
      // hold concurrent requests of one session back to one store round trip at a time).
      if (isChange(reason)) return this.#change(reason, intent, loaded);
    }
    return this.#queues.run(from, () => andThen(this.readLive(from, intent.once ? 'once' : 'session'), (current) => {
      const now = Date.now();
      // A touch found due on the record just read is still the store's to apply: a rewrite of
      // what was read would undo another process's change made since.
      const atomic = this.#storeCalls.update !== undefined;
      const reason = decided ?? (atomic && current !== null ? commitReason(intent, current, now, options) : undefined);
      if (atomic && isChange(reason)) return this.#change(reason, intent, current);
      const plan = planCommit(intent, current, now, options, reason);
      return plan === null ? { reason: null, record: current } : this.#run(plan, current, intent.once);
    }));
  }

  /**
   * A move, merge or touch through a store that applies changes itself: one store call, no read
   * first. The owner index is updated in the same breath when the caller's read tells what it
   * will be (the clients pipeline both: one round trip on one server), else after.
   */
  async #change(reason: 'move' | 'merge' | 'touch', intent: CommitIntent<T>, loaded: SessionRecord<T> | null | undefined): Promise<CommitOutcome<T>> {
    const { index, ownerKey } = this.#options;
    // The record afterwards is read back only for what needs it below, or for the caller: a
    // request's last commit on a store without an owner index needs only "applied".
    const returnRecord = intent.keepsRecord || ownerKey !== undefined || this.capOwner !== undefined || reason === 'move';
    const change = changeOf(intent, Date.now(), this.#options, returnRecord);
    // What the store will make of the session, as far as the caller's read tells (another
    // process may have changed it meanwhile: then the index is corrected after).
    const expected = ownerKey !== undefined && loaded ? applySessionChange(loaded, change) : null;
    const indexed = expected?.owner === undefined ? undefined : index.add(expected.owner, publicIdOf(change.to), change.to, expiresAt(expected));
    const [answered] = await Promise.all([this.#storeCalls.update!(change) as Promise<SessionRecord<T> | true | null>, indexed]);
    if (answered === null) return { reason: 'gone', record: null };
    if (answered === true) return { reason, record: undefined };
    const record = answered;
    const owner = ownerKey === undefined ? undefined : record.owner;
    if (owner !== undefined && (owner !== expected?.owner || expiresAt(record) !== expiresAt(expected))) {
      await index.add(owner, publicIdOf(change.to), change.to, expiresAt(record));
    }
    if (change.to !== change.key && ownerKey !== undefined) await index.remove(publicIdOf(change.key));
    if (reason === 'move') this.#announce({ reason, key: change.to, record, erase: change.key }, loaded ?? null);
    if (this.capOwner && record.owner !== undefined && record.owner !== loaded?.owner) await this.capOwner(record.owner, change.to);
    return { reason, record };
  }

  /** Runs a plan made on `stored` (the record it replaces or ends), then tells the listeners of a session event what it did. */
  #run(plan: CommitPlan<T>, stored: SessionRecord<T> | null, once: boolean): Maybe<CommitOutcome<T>> {
    let done = this.#runPlan(plan);
    if (once) return done;
    if (this.events.listening) {
      done = andThen(done, (outcome) => {
        this.#announce(plan, stored);
        return outcome;
      });
    }
    // A session that joins an owner (made, or moved to another owner) may take the owner past maxSessionsPerOwner.
    const joined = plan.record?.owner;
    if (this.capOwner && joined !== undefined && (plan.reason === 'write-new' || joined !== stored?.owner)) {
      const cap = this.capOwner;
      done = andThen(done, (outcome) => cap(joined, plan.key!).then(() => outcome));
    }
    return done;
  }

  #announce({ reason, key, record, erase }: CommitPlan<T>, stored: SessionRecord<T> | null): void {
    const at = Date.now();
    const ended = () => ({ id: publicIdOf(erase!), owner: stored?.owner, at });
    switch (reason) {
      case 'write-new':
        // create() on a request that had a session ends that one first.
        if (erase !== null && stored !== null) this.events.emit('destroy', ended);
        this.events.emit('create', () => ({ id: publicIdOf(key!), owner: record!.owner, at }));
        return;
      case 'move':
        this.events.emit('regenerate', () => ({ id: publicIdOf(key!), owner: record!.owner, at, previousId: publicIdOf(erase!) }));
        return;
      case 'erase':
        this.events.emit('destroy', ended);
        return;
      default:
    }
  }

  #runPlan(plan: CommitPlan<T>): Maybe<CommitOutcome<T>> {
    const { key, record, erase } = plan;
    if (key === null) return erase === null ? plan : andThen(this.#erase(erase), () => plan);
    const written = andThen(this.#write(key, record!), () => plan);
    return erase === null ? written : andThen(written, () => this.#eraseAfterWrite(erase, key, plan));
  }

  /**
   * Removes the key a write replaced (a move's old token). The old token must not outlive the
   * move: if it cannot be removed, the new record is removed again and the error thrown,
   * rather than leave two live tokens.
   */
  #eraseAfterWrite(erase: string, written: string, outcome: CommitOutcome<T>): Maybe<CommitOutcome<T>> {
    const erased = this.#erase(erase);
    if (!isPromise(erased)) return outcome;
    return erased.then(() => outcome, async (err: unknown) => {
      await Promise.resolve(this.#erase(written)).catch((undoErr: unknown) => debug('undoing a moved session failed: %o', undoErr));
      throw err;
    });
  }

  /**
   * Every record reaches the store here: a touch is a full rewrite too, never `store.touch`,
   * because connect-redis' and connect-pg-simple's `touch` move only the store's own expiry and
   * leave the record's `cookie.expires` stale.
   */
  #write(key: string, record: SessionRecord<T>): Maybe<void> {
    const store = () => this.#options.writeWithTtl(record, (expiresAt(record) - Date.now()) / 1000, (stored) => this.#storeCalls.set(key, stored));
    if (record.owner === undefined) return store();
    // Indexed first: a session the index misses would survive "log out everywhere"; an index
    // entry whose write failed is only a dead entry, dropped when it is next listed.
    return andThen(this.#options.index.add(record.owner, publicIdOf(key), key, expiresAt(record)), store);
  }

  /** Removes the record under `key`, and its owner-index entry. */
  #erase(key: string): Maybe<void> {
    const destroyed = this.#storeCalls.destroy(key);
    if (this.#options.ownerKey === undefined) return destroyed;
    return andThen(destroyed, () => this.#options.index.remove(publicIdOf(key)));
  }

  /** Whether sessions 1.x wrote are read (the `adopt1xSessions` option). */
  get adopts1xSessions(): boolean {
    return this.#options.adopt1xSessions;
  }

  /** Whether sessions keep their client and last write (the `metadata` option). */
  get recordsMetadata(): boolean {
    return this.#options.metadata;
  }

  /** Whether `genid` is the user's own, which may read the request; the default does not. */
  get genidReadsRequest(): boolean {
    return this.#options.genid !== defaultGenId;
  }

  /** A fresh token from `genid`. */
  newToken(req?: unknown): string {
    return issueToken(this.#options.genid, req);
  }

  /** The store key of a token. */
  keyOf(token: string): string {
    return storeKeyOf(token, this.#options.hashTokens);
  }

  /** The owner `data` names (`ownerKey`), or `undefined`. */
  ownerOfData(data: T): string | undefined {
    return ownerOf(data, this.#options.ownerKey);
  }

  /** A checked copy of `data`, ready to store (throws `ERR_INVALID_DATA`). */
  storable(data: T): T {
    return toStorableData(data, this.#options.maxDataBytes);
  }

  /** The idle TTL of new sessions, ms. */
  get defaultTtlMs(): number {
    return this.#options.ttlMs;
  }
}

/**
 * What 1.x stored: the session's own fields beside a `cookie` of `{ maxAge: 0 }` (`{}` once
 * serialised without it). express-session's sessions, which a shared store may also hold,
 * always have `originalMaxAge` and `expires` in theirs, and records of today have `data`.
 */
function is1xSession(value: unknown): value is { cookie: object } & Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isSessionRecord(value)) return false;
  const { cookie } = value as { cookie?: unknown };
  if (typeof cookie !== 'object' || cookie === null) return false;
  return Object.keys(cookie).every((field) => field === 'maxAge');
}

/** A commit an atomic store applies itself (`updateSession`): one that builds on the stored session and keeps it. */
function isChange(reason: CommitReason | null | undefined): reason is 'move' | 'merge' | 'touch' {
  return reason === 'move' || reason === 'merge' || reason === 'touch';
}
