// The record a store receives for a session, shaped like express-session's, and the expiry rules computed from it.
/**
 * The `cookie` of a record written by this process. It holds the expiry as a number and
 * computes `expires` and `maxAge` when a store reads them, as express-session's own Cookie
 * does: a store that keeps the object in memory keeps two numbers, not an ISO string, and
 * `maxAge` is the time left when the store reads it. `toJSON` gives stores that serialise
 * the record the plain express-session shape; such a record comes back as a plain object.
 */
export class RecordCookie {
  /** This session's idle TTL in ms. */
  originalMaxAge: number;
  /** Epoch ms of the expiry. */
  expiresAt: number;

  constructor(originalMaxAge: number, expiresAt: number) {
    this.originalMaxAge = originalMaxAge;
    this.expiresAt = expiresAt;
  }

  /** ISO date of the expiry (read by connect-redis, connect-pg-simple, express-mysql-session). */
  get expires(): string {
    return new Date(this.expiresAt).toISOString();
  }

  /** ms left (read by memorystore). */
  get maxAge(): number {
    return this.expiresAt - Date.now();
  }

  toJSON(): { originalMaxAge: number; maxAge: number; expires: string } {
    return { originalMaxAge: this.originalMaxAge, maxAge: this.maxAge, expires: this.expires };
  }
}

/**
 * What a store receives for one session. It is shaped like an express-session session so that
 * every existing store computes its own expiry: connect-redis, connect-pg-simple and
 * express-mysql-session read `cookie.expires`, memorystore reads `cookie.maxAge`.
 */
export interface SessionRecord<T = unknown> {
  cookie: {
    /** This session's idle TTL in ms (its own, when made by `newWttl` / `setWttl`). */
    readonly originalMaxAge: number;
    /** ms left. */
    readonly maxAge: number;
    /** ISO date of the expiry: the idle deadline, capped by the absolute one. */
    readonly expires: string;
  };
  data: T;
  /** Epoch ms of the session's creation; the absolute deadline counts from here. */
  createdAt: number;
  /** The owner named by `ownerKey`, when set. */
  owner?: string;
  /** Set on a one-time token's record (`newOnce`), which is never a session. */
  once?: true;
}

/** What marks a record besides its data and lifetime. */
export type RecordMarks = Pick<SessionRecord, 'owner' | 'once'>;

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

export function expiresAt(record: SessionRecord): number {
  const { cookie } = record;
  return cookie instanceof RecordCookie ? cookie.expiresAt : Date.parse(cookie.expires);
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
  const { cookie, data, createdAt } = value as Partial<SessionRecord>;
  return (
    typeof cookie === 'object' &&
    cookie !== null &&
    typeof cookie.originalMaxAge === 'number' &&
    (cookie instanceof RecordCookie || (typeof cookie.expires === 'string' && !Number.isNaN(Date.parse(cookie.expires)))) &&
    typeof createdAt === 'number' &&
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data)
  );
}
