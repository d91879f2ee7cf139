// The record a store receives for a session, shaped like express-session's, and the expiry rules computed from it.
/**
 * The `cookie` of a record written by this process: express-session's own Cookie, field for
 * field, as its stores expect it. The same own fields (`path`, `_expires` a `Date`,
 * `originalMaxAge`, `httpOnly`), the same accessors (`expires` the `Date`, `maxAge` the ms left
 * when the store reads it, both settable as in express-session) and the same `toJSON`, so
 * that a store that tests `instanceof Date`, calls `getTime()` or serialises the record sees
 * what express-session would have handed it. A serialised record comes back as a plain object
 * with `expires` an ISO string, and is read as such.
 */
export class RecordCookie {
  // A header token has no cookie path: these two are here because express-session's Cookie
  // has them, and stores and tools that read records written by it find them here too.
  path = '/';
  _expires: Date;
  /** This session's idle TTL in ms. */
  originalMaxAge: number;
  httpOnly = true;

  constructor(originalMaxAge: number, expiresAt: number) {
    this._expires = new Date(expiresAt);
    this.originalMaxAge = originalMaxAge;
  }

  /** The expiry (read by connect-redis, connect-pg-simple, express-mysql-session, connect-session-sequelize, nedb-session-store). */
  get expires(): Date {
    return this._expires;
  }

  /** As express-session's: a new expiry also becomes the TTL. */
  set expires(date: Date) {
    this._expires = date;
    this.originalMaxAge = this.maxAge;
  }

  /** ms left (read by memorystore, connect-memcached, connect-sqlite3, connect-session-knex). */
  get maxAge(): number {
    return this._expires.getTime() - Date.now();
  }

  set maxAge(ms: number) {
    this.expires = new Date(Date.now() + ms);
  }

  /** What express-session's Cookie serialises: `maxAge` is not part of it. */
  toJSON(): { originalMaxAge: number; expires: Date; httpOnly: boolean; path: string } {
    return { originalMaxAge: this.originalMaxAge, expires: this._expires, httpOnly: this.httpOnly, path: this.path };
  }
}

/**
 * What a store receives for one session. It is shaped like an express-session session so that
 * every existing store computes its own expiry from `cookie.expires` or `cookie.maxAge`.
 */
export interface SessionRecord<T = unknown> {
  cookie: {
    /** This session's idle TTL in ms (its own, when made by `newWttl` / `setWttl`). */
    readonly originalMaxAge: number;
    /** ms left; absent from a record read back from JSON. */
    readonly maxAge?: number;
    /** The expiry (the idle deadline, capped by the absolute one): a `Date` as written, an ISO string as read back from JSON. */
    readonly expires: Date | string;
  };
  data: T;
  /** Epoch ms of the session's creation; the absolute deadline counts from here. */
  createdAt: number;
  /** The owner named by `ownerKey`, when set. */
  owner?: string;
  /** Epoch ms of the sign-in the session stands for, when a `reauthenticate()` moved it past `createdAt` (absent: `createdAt`). */
  authenticatedAt?: number;
  /** Only with the engine's `metadata` option. */
  meta?: SessionMetadata;
  /** Set on a one-time token's record (`newOnce`), which is never a session. */
  once?: true;
}

/** What `metadata: true` keeps of a session: the client that made it, and when it was last written. */
export interface SessionMetadata {
  userAgent?: string;
  /** The client's address, as the framework tells it (its trusted-proxy setting decides). */
  ip?: string;
  /** Epoch ms of the session's last write (a change or a touch): no write is made for it. */
  lastSeenAt: number;
}

/** What marks a record besides its data and lifetime. */
export type RecordMarks = Pick<SessionRecord, 'owner' | 'once' | 'authenticatedAt' | 'meta'>;

/** The engine-wide expiry rule every expiry computation needs (the per-session TTL is in the record). */
export interface ExpiryRules {
  /** Hard limit from creation, in ms, or `undefined` for none. */
  absoluteTtlMs: number | undefined;
}

export function buildRecord<T>(
  data: T,
  ttlMs: number,
  createdAt: number,
  now: number,
  rules: ExpiryRules,
  marks: RecordMarks,
): SessionRecord<T> {
  const expires = nextExpiry(ttlMs, createdAt, now, rules);
  const record: SessionRecord<T> = {
    cookie: new RecordCookie(ttlMs, expires),
    data,
    createdAt,
  };
  if (marks.owner !== undefined) record.owner = marks.owner;
  if (marks.authenticatedAt !== undefined) record.authenticatedAt = marks.authenticatedAt;
  if (marks.meta !== undefined) record.meta = marks.meta;
  if (marks.once) record.once = true;
  return record;
}

/** The idle deadline from `now`, never past the absolute deadline. */
function nextExpiry(ttlMs: number, createdAt: number, now: number, rules: ExpiryRules): number {
  const idle = now + ttlMs;
  const absolute = absoluteDeadline(createdAt, rules);
  return absolute === undefined ? idle : Math.min(idle, absolute);
}

function absoluteDeadline(createdAt: number, rules: ExpiryRules): number | undefined {
  return rules.absoluteTtlMs === undefined ? undefined : createdAt + rules.absoluteTtlMs;
}

/** Epoch ms of the record's expiry, whether the store kept the `Date` or its JSON string. */
export function expiresAt(record: SessionRecord): number {
  const { expires } = record.cookie;
  return expires instanceof Date ? expires.getTime() : Date.parse(expires);
}

/**
 * Whether the record is alive at `now`. Checked on every read, because some stores
 * (session-memory-store among them) ignore the record's expiry, and because `absoluteTtl`
 * may have been lowered since the record was written.
 */
export function isLive(record: SessionRecord, now: number, rules: ExpiryRules): boolean {
  const absolute = absoluteDeadline(record.createdAt, rules);
  return expiresAt(record) > now && (absolute === undefined || absolute > now);
}

/**
 * How far a touch at `now` would move the record's expiry, in ms: 0 at the absolute deadline,
 * where nothing can move. While the expiry is unmoved this is the time since the last write,
 * so "touchAfter passed since the last write" needs no stored last-write time.
 */
export function expiryGain(record: SessionRecord, now: number, rules: ExpiryRules): number {
  return Math.max(0, nextExpiry(record.cookie.originalMaxAge, record.createdAt, now, rules) - expiresAt(record));
}

/**
 * A stored value is used only if it has the record's shape: a store shared with other
 * software may hold something else under a key, and it must not be taken for a session.
 */
export function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { cookie, data, createdAt, authenticatedAt } = value as Partial<SessionRecord>;
  return (
    typeof cookie === 'object' &&
    cookie !== null &&
    typeof cookie.originalMaxAge === 'number' &&
    (cookie.expires instanceof Date || typeof cookie.expires === 'string') &&
    !Number.isNaN(expiresAt(value as SessionRecord)) &&
    typeof createdAt === 'number' &&
    (authenticatedAt === undefined || typeof authenticatedAt === 'number') &&
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data)
  );
}
