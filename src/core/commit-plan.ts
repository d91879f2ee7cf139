// The commit planner: what a request or a programmatic call asked for, and what is stored, in; the whole write plan out. Pure.
import { buildRecord, expiresAt, expiryGain, type RecordMarks, type SessionMetadata, type SessionRecord } from '../store/record';
import type { SessionChange } from '../store/types';
import { applyChanges, changesOf, sameJson, toStorableData } from './data';

/** How long a session lives: its own idle TTL, and when it began (for `absoluteTtl`). */
export interface Lifetime {
  ttlMs: number;
  createdAt: number;
}

/**
 * Which touch the caller asks for: `force` always writes one (an explicit `touch()`); `due`
 * writes one when `touchAfter` allows (`getAndTouch`); `auto` does so only with `autoTouch`
 * on (`get`, every request); `never` writes none (`getNotTouch`).
 */
export type TouchRequest = 'force' | 'due' | 'auto' | 'never';

/** What a request or a programmatic call asked to be done to one session. */
export interface CommitIntent<T> {
  /** The store key of the session this builds on (the one a request loaded), or `null`. */
  from: string | null;
  /** The key the session lives under afterwards: `null` ends it; a key other than `from` moves it there. */
  to: string | null;
  /** Set when the session starts from scratch (`create()`, `new()`): written whole, replacing `from`. */
  fresh: Lifetime | null;
  /** The data as the caller left it (a new session's data, when `fresh`). */
  data: T | undefined;
  /**
   * What `data` started from: only the top-level keys that differ are written, onto the data as
   * stored by then, so concurrent changes of other keys all land. `null`: `data` replaces it
   * whole (`set`). `undefined`: the data is not touched (`touch`, `regenerate`, `destroy`).
   */
  baseline: T | null | undefined;
  /** A new idle TTL for the session (`setWttl`), ms. */
  ttlMs: number | undefined;
  touch: TouchRequest;
  /** A one-time token's record (`newOnce`): never read as a session, nor a session as one. */
  once: boolean;
  /** A new sign-in (`reauthenticate()`): its epoch ms, with a move to a new key; `undefined` keeps the stored one. */
  authenticatedAt: number | undefined;
  /** A fresh session's client (its request's user agent and address), recorded with `metadata`. */
  client: ClientInfo | undefined;
  /** Whether the caller uses the record the commit leaves (for a later commit, or to answer with it). */
  keepsRecord: boolean;
}

/** Who made a session, as the adapter tells it. */
export interface ClientInfo {
  userAgent?: string | undefined;
  ip?: string | undefined;
}

/** An intent that asks for nothing but what `ask` names: no data change, no touch. */
export function intentOf<T>(from: string | null, to: string | null, ask: Partial<CommitIntent<T>> = {}): CommitIntent<T> {
  // Field by field rather than a spread: the programmatic methods make one per call.
  return {
    from, to, fresh: ask.fresh ?? null, data: ask.data, baseline: ask.baseline, ttlMs: ask.ttlMs,
    touch: ask.touch ?? 'never', once: ask.once ?? false, authenticatedAt: ask.authenticatedAt, client: ask.client, keepsRecord: true,
  };
}

/**
 * Why a commit writes what it writes:
 * - `erase`: the session ended;
 * - `write-new`: a session started from scratch, written whole (and the one it replaces removed);
 * - `move`: the stored session went to a new token (with the caller's changes), the old one removed;
 * - `merge`: the caller's changes written onto the session as stored;
 * - `touch`: the same session with its idle TTL restarted;
 * - `gone`: the session this builds on is not stored (never was, destroyed, expired): nothing is written;
 * - `null`: nothing to do.
 */
export type CommitReason = 'erase' | 'write-new' | 'move' | 'merge' | 'touch' | 'gone' | null;

/**
 * A commit's store work, in its order: `record` written under `key` first, then `erase` removed
 * (a move's old key, or the ended session). Once run, the plan is also the commit's outcome.
 */
export interface CommitPlan<T> {
  reason: Exclude<CommitReason, null>;
  /** Where `record` is written; `null` when nothing is. */
  key: string | null;
  record: SessionRecord<T> | null;
  erase: string | null;
}

/** The engine options a plan depends on. */
export interface PlanRules {
  absoluteTtlMs: number | undefined;
  /** `undefined`: min(60 s, the session's own TTL / 2). */
  touchAfterMs: number | undefined;
  autoTouch: boolean;
  maxDataBytes: number;
  ownerKey: string | undefined;
  /** Keep `meta` (the `metadata` option): the client at creation, `lastSeenAt` at every write. */
  metadata: boolean;
}

const DEFAULT_TOUCH_AFTER_MS = 60_000;

/**
 * The decision alone, without building what to write. `stored` is the live record under
 * `intent.from` (`null`: none). Cheap enough for every request, most of which decide `null`.
 */
export function commitReason<T>(intent: CommitIntent<T>, stored: SessionRecord<T> | null, now: number, rules: PlanRules): CommitReason {
  if (intent.to === null) return intent.from !== null && stored !== null ? 'erase' : null;
  if (intent.fresh !== null) return 'write-new';
  if (stored === null) return 'gone';
  if (intent.to !== intent.from) return 'move';
  if (dataChanged(intent) || intent.ttlMs !== undefined) return 'merge';
  return touchWanted(intent.touch, stored, now, rules) ? 'touch' : null;
}

/**
 * Whether the reason builds on the stored record (its data, its lifetime, its expiry): such a
 * plan must be made against the record as the store has it when the plan is run, since another
 * request may have changed, touched or ended the session since the caller read it.
 */
export function buildsOnStored(reason: CommitReason): boolean {
  return reason === 'move' || reason === 'merge' || reason === 'touch' || reason === 'gone';
}

/**
 * The whole plan: the decision of `commitReason` and the records it writes. Throws
 * `ERR_INVALID_DATA` for data that cannot be stored. `decided` is the reason an earlier call
 * gave against an earlier read of the same session: of it, only what depends on the stored
 * record is decided again (a change or a move stays one while the session is stored).
 */
export function planCommit<T>(intent: CommitIntent<T>, stored: SessionRecord<T> | null, now: number, rules: PlanRules, decided?: CommitReason): CommitPlan<T> | null {
  const reason = (decided === 'merge' || decided === 'move') && stored !== null ? decided : commitReason(intent, stored, now, rules);
  switch (reason) {
    case null:
      return null;
    case 'gone':
      return { reason, key: null, record: null, erase: null };
    case 'erase':
      return { reason, key: null, record: null, erase: intent.from };
    case 'write-new': {
      const data = toStorableData(intent.data as T, rules.maxDataBytes);
      const { ttlMs, createdAt } = intent.fresh!;
      const record = recordOf(data, ttlMs, createdAt, now, rules, intent.once, rules.metadata ? { meta: metadataOf(intent.client, now) } : {});
      return { reason, key: intent.to, record, erase: intent.from !== intent.to ? intent.from : null };
    }
    case 'move':
    case 'merge': {
      const current = stored!;
      const { data: asLeft, baseline } = intent;
      const edited = baseline === undefined ? current.data : baseline === null ? asLeft as T : applyChanges(current.data, changesOf(asLeft as object, baseline as object));
      const data = toStorableData(edited, rules.maxDataBytes);
      const record = recordOf(data, intent.ttlMs ?? current.cookie.originalMaxAge, current.createdAt, now, rules, false, carried(current, now, rules, intent.authenticatedAt));
      return { reason, key: intent.to, record, erase: reason === 'move' ? intent.from : null };
    }
    case 'touch': {
      const current = stored!;
      const record = recordOf(current.data, current.cookie.originalMaxAge, current.createdAt, now, rules, false, carried(current, now, rules, undefined));
      return { reason, key: intent.to, record, erase: null };
    }
  }
}

/**
 * For a store that applies changes itself: the reason of a commit that builds on the stored
 * session, when it can be told without reading it (a change, a new token, a forced touch), or
 * `undefined` when it cannot (a touch only when due).
 */
export function reasonWithoutRecord<T>(intent: CommitIntent<T>): 'move' | 'merge' | 'touch' | undefined {
  if (intent.to === null || intent.fresh !== null) return undefined;
  if (intent.to !== intent.from) return 'move';
  if (dataChanged(intent) || intent.ttlMs !== undefined) return 'merge';
  return intent.touch === 'force' ? 'touch' : undefined;
}

/**
 * What a store that applies changes itself is handed for a move, a merge or a touch: the
 * caller's own changes (checked: throws `ERR_INVALID_DATA`), never the data as it read it.
 */
export function changeOf<T>(intent: CommitIntent<T>, now: number, rules: PlanRules, returnRecord: boolean): SessionChange {
  const { data: asLeft, baseline } = intent;
  let set: Record<string, unknown> = {};
  let unset: string[] = [];
  if (baseline === null) set = toStorableData(asLeft as Record<string, unknown>, rules.maxDataBytes);
  else if (baseline !== undefined) ({ set, removed: unset } = changesOf(toStorableData(asLeft as object, rules.maxDataBytes), baseline as object));
  const replace = baseline === null;
  const { ownerKey } = rules;
  // Only a change of the ownerKey field moves the session to another owner.
  const owner = ownerKey === undefined ? undefined
    : replace || Object.hasOwn(set, ownerKey) ? ownerOf(set, ownerKey) ?? null
      : unset.includes(ownerKey) ? null : undefined;
  const change: SessionChange = { key: intent.from!, to: intent.to!, set, unset, replace, ttlMs: intent.ttlMs, absoluteTtlMs: rules.absoluteTtlMs, owner, now, returnRecord };
  if (intent.authenticatedAt !== undefined) change.authenticatedAt = intent.authenticatedAt;
  if (rules.metadata) change.lastSeenAt = now;
  return change;
}

/**
 * What a change makes of a stored record, in JavaScript: the record to store, or `null` when the
 * record is not a live session at `change.now` (nothing is to be written). The semantics every
 * `AtomicSessionStore` implements, for a store that applies a change itself by reading, then
 * writing only if unchanged (compare-and-set), and for redisStore's moves.
 */
export function applySessionChange<T>(record: SessionRecord<T>, change: SessionChange): SessionRecord<T> | null {
  if (record.once) return null;
  const rules = { absoluteTtlMs: change.absoluteTtlMs };
  const ttlMs = change.ttlMs ?? record.cookie.originalMaxAge;
  const data = change.replace ? change.set as T : applyChanges(record.data, { set: change.set, removed: change.unset });
  const owner = change.owner === undefined ? record.owner : change.owner ?? undefined;
  const meta = change.lastSeenAt === undefined ? record.meta : seenAt(record.meta, change.lastSeenAt);
  const applied = buildRecord(data, ttlMs, record.createdAt, change.now, rules, marksOf(owner, { authenticatedAt: change.authenticatedAt ?? record.authenticatedAt, meta }));
  return expiresAt(applied) > change.now ? applied : null;
}

function dataChanged<T>(intent: CommitIntent<T>): boolean {
  return intent.baseline !== undefined && (intent.baseline === null || !sameJson(intent.data, intent.baseline));
}

function touchWanted(touch: TouchRequest, stored: SessionRecord, now: number, rules: PlanRules): boolean {
  switch (touch) {
    case 'force':
      return true;
    case 'auto':
      return rules.autoTouch && isTouchDue(stored, now, rules);
    case 'due':
      return isTouchDue(stored, now, rules);
    case 'never':
      return false;
  }
}

/** A touch is worth a store write when it moves the expiry by at least `touchAfter`, measured against the session's own TTL. */
export function isTouchDue(stored: SessionRecord, now: number, rules: PlanRules): boolean {
  const gain = expiryGain(stored, now, rules);
  const touchAfter = rules.touchAfterMs ?? Math.min(DEFAULT_TOUCH_AFTER_MS, stored.cookie.originalMaxAge / 2);
  return gain > 0 && gain >= touchAfter;
}

/** What a session's record keeps beside its data, owner and lifetime. */
interface Carried {
  authenticatedAt?: number | undefined;
  meta?: SessionMetadata | undefined;
}

function recordOf<T>(data: T, ttlMs: number, createdAt: number, now: number, rules: PlanRules, once: boolean, kept: Carried): SessionRecord<T> {
  if (once) return buildRecord(data, ttlMs, createdAt, now, rules, { once: true });
  return buildRecord(data, ttlMs, createdAt, now, rules, marksOf(ownerOf(data, rules.ownerKey), kept));
}

/** What a write keeps of the stored record: its sign-in (or a new one), and its metadata, seen now. */
function carried(current: SessionRecord, now: number, rules: PlanRules, authenticatedAt: number | undefined): Carried {
  return { authenticatedAt: authenticatedAt ?? current.authenticatedAt, meta: rules.metadata ? seenAt(current.meta, now) : current.meta };
}

/** A session record's marks, each only when it has one. */
function marksOf(owner: string | undefined, kept: Carried): RecordMarks {
  const marks: RecordMarks = {};
  if (owner !== undefined) marks.owner = owner;
  if (kept.authenticatedAt !== undefined) marks.authenticatedAt = kept.authenticatedAt;
  if (kept.meta !== undefined) marks.meta = kept.meta;
  return marks;
}

/** A new session's metadata: its client, and now. */
function metadataOf(client: ClientInfo | undefined, now: number): SessionMetadata {
  const meta = {} as SessionMetadata;
  if (client?.userAgent) meta.userAgent = client.userAgent;
  if (client?.ip) meta.ip = client.ip;
  meta.lastSeenAt = now;
  return meta;
}

/** The metadata of a session written at `at`. */
function seenAt(meta: SessionMetadata | undefined, at: number): SessionMetadata {
  return { ...meta, lastSeenAt: at };
}

/** The owner a session's data names (see `ownerKey`), as a string. */
export function ownerOf(data: unknown, ownerKey: string | undefined): string | undefined {
  if (ownerKey === undefined) return undefined;
  const owner = (data as Record<string, unknown>)[ownerKey];
  return typeof owner === 'string' || typeof owner === 'number' ? String(owner) : undefined;
}
