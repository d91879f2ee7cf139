// The engine's options: their types and documentation, defaults and validation, in one place.
import { TokenSessionError } from '../errors';
import { configuredTtlSeconds, writeWithTtl, type HackTtl, type WriteWithTtl } from '../store/store-ttl';
import { memoryIndex, type SessionIndex } from '../store/session-index';
import type { ExpressSessionStore } from '../store/types';
import { platform } from './platform';
import { defaultGenId, type GenId } from './tokens';
import { toIndexCalls } from '../store/store-calls';

/** Options of `new TokenSession(options)`. All optional; bad ones throw `ERR_OPTIONS`. */
export interface TokenSessionOptions {
  /**
   * Any express-session-compatible store (callback or promise style).
   * @default a session-memory-store instance (one process only); on the web-standard path (token-session/fetch,
   * token-session/hono, outside Node), an in-memory Map
   */
  store?: ExpressSessionStore;
  /**
   * Idle timeout in seconds: a session unused for this long ends.
   * @default the TTL the store was configured with, where it exposes one (connect-redis and
   * connect-pg-simple `ttl`, memorystore `ttl`, session-memory-store `expires`), as in 1.x; else 1800
   */
  ttl?: number;
  /**
   * Hard limit in seconds from creation; touching never extends a session past it.
   * @default none
   */
  absoluteTtl?: number;
  /**
   * Whether `get` (and the middleware) restart the idle timeout.
   * @default true
   */
  autoTouch?: boolean;
  /**
   * An automatic touch is written only if it moves the expiry by at least this many seconds
   * (0 = every time), which keeps touch writes rare. An explicit `touch()` always writes.
   * @default min(60, the session's own TTL / 2)
   */
  touchAfter?: number;
  /**
   * `(req?) => string`, the token generator.
   * @default 32 random bytes (43 base64url characters): uid-safe on Node, WebCrypto's getRandomValues elsewhere
   */
  genid?: GenId;
  /**
   * Store the token's SHA-256 (its first 24 bytes, base64url: 32 characters, as
   * express-session's ids) as the key instead of the token, so a dump of the store holds no
   * usable token.
   * @default true
   */
  hashTokens?: boolean;
  /**
   * `(record, ttlSeconds, store) => record`: how a per-session TTL reaches a store; what it
   * returns is written, and must be a session record (else the write fails with `ERR_OPTIONS`).
   * A 1.x hackttl, `(obj, ttl?)` setting or answering `obj.store`'s TTL, is run the 1.x way.
   * @default built in (stores that read `cookie.expires`/`maxAge` need nothing; session-memory-store,
   * connect-redis <= 3 and memorystore, whose own TTL wins over the cookie, get each record's)
   */
  hackttl?: HackTtl;
  /**
   * Read the sessions token-session 1.x wrote in this store, moving each to a record of today
   * on its first use. Each token that is not found costs a second store read while this is on.
   * @default false
   */
  adopt1xSessions?: boolean;
  /**
   * The data field that names a session's owner, for `list` / `destroyAll`.
   * @default none
   */
  ownerKey?: string;
  /**
   * At most this many live sessions per owner (`ownerKey`): one more ends the owner's oldest, in
   * the same commit, before the response that made it is sent.
   * @default none
   */
  maxSessionsPerOwner?: number;
  /**
   * Record, when a session is made, the request's user agent and client address (the adapter
   * passes them; the framework's trusted-proxy setting decides the address), and keep
   * `lastSeenAt` at each write the session gets anyway: `list(owner)` shows all three. Off by
   * default: it is personal data.
   * @default false
   */
  metadata?: boolean;
  /**
   * Where owner sets and one-time claims live: the store's own `index` when it has one
   * (pgStore), else in-process (correct for one process); `redisIndex(client)` when several
   * processes share a store on Redis.
   * @default the store's own index, else in-process
   */
  index?: SessionIndex;
  /**
   * Size limit of one session's data as JSON, in UTF-8 bytes.
   * @default 65536
   */
  maxDataBytes?: number;
  /**
   * ms a store call may take before it fails with `ERR_STORE_TIMEOUT`; 0 waits forever.
   * @default 5000
   */
  storeTimeout?: number;
}

/** The options after defaults and validation, in the units the engine computes in. */
export interface ResolvedOptions {
  store: ExpressSessionStore;
  ttlMs: number;
  absoluteTtlMs: number | undefined;
  autoTouch: boolean;
  /** `undefined`: min(60 s, each session's own TTL / 2). */
  touchAfterMs: number | undefined;
  genid: GenId;
  hashTokens: boolean;
  /** How every record reaches the store with its own TTL (the `hackttl` option, or the built-in hooks). */
  writeWithTtl: WriteWithTtl;
  adopt1xSessions: boolean;
  ownerKey: string | undefined;
  maxSessionsPerOwner: number | undefined;
  metadata: boolean;
  index: SessionIndex;
  maxDataBytes: number;
  storeTimeout: number;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set<keyof TokenSessionOptions>([
  'store', 'ttl', 'absoluteTtl', 'autoTouch', 'touchAfter', 'genid', 'hashTokens', 'hackttl',
  'adopt1xSessions', 'ownerKey', 'maxSessionsPerOwner', 'metadata', 'index', 'maxDataBytes', 'storeTimeout',
]);

/**
 * Throws `ERR_OPTIONS` for a name that is no option, listing every one that is: the engine's, and
 * `alsoKnown`, a middleware's own, when the options were given to a middleware.
 */
export function assertKnownOptions(options: object, alsoKnown: readonly string[] = []): void {
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name) && !alsoKnown.includes(name)) throw badOption(name, `is not an option (known: ${[...alsoKnown, ...KNOWN_OPTIONS].join(', ')})`);
  }
}

export function resolveOptions(options: TokenSessionOptions | undefined): ResolvedOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw badOption('options', 'must be an object', options);
  }
  assertKnownOptions(options);
  const given = options.store === undefined ? undefined : storeOption(options.store);
  // As in 1.x, where the store's TTL was the sessions': a store made with `ttl: 60` keeps sessions 60 s.
  const ttl = positiveNumber(options, 'ttl', (given && configuredTtlSeconds(given)) ?? DEFAULT_TTL_SECONDS);
  const store = given ?? platform.defaultStore(ttl);
  const storeTimeout = nonNegativeNumber(options, 'storeTimeout', 5000);
  return {
    store,
    ttlMs: ttl * 1000,
    absoluteTtlMs: optional(options.absoluteTtl, () => positiveNumber(options, 'absoluteTtl', 0) * 1000),
    autoTouch: booleanOption(options, 'autoTouch', true),
    touchAfterMs: optional(options.touchAfter, () => nonNegativeNumber(options, 'touchAfter', 0) * 1000),
    genid: functionOption(options, 'genid', defaultGenId),
    hashTokens: booleanOption(options, 'hashTokens', true),
    writeWithTtl: writeWithTtl(optional(options.hackttl, () => functionOption<HackTtl>(options, 'hackttl', options.hackttl!)), store),
    adopt1xSessions: booleanOption(options, 'adopt1xSessions', false),
    ownerKey: optional(options.ownerKey, () => nonEmptyString(options, 'ownerKey')),
    metadata: booleanOption(options, 'metadata', false),
    maxSessionsPerOwner: optional(options.maxSessionsPerOwner, () => {
      if (options.ownerKey === undefined) throw badOption('maxSessionsPerOwner', 'needs ownerKey, which names each session\'s owner');
      return positiveInteger(options, 'maxSessionsPerOwner', 1);
    }),
    index: toIndexCalls(indexOption(options.index ?? storesOwnIndex(store)), storeTimeout),
    maxDataBytes: positiveInteger(options, 'maxDataBytes', 65536),
    storeTimeout,
  };
}

/** A per-call TTL in seconds (`newWttl`, `setWttl`), validated like the `ttl` option. */
export function isValidTtl(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

type Name = keyof TokenSessionOptions;

function optional<T>(value: unknown, read: () => T): T | undefined {
  return value === undefined ? undefined : read();
}

function positiveNumber(options: TokenSessionOptions, name: Name, fallback: number): number {
  const value = options[name] ?? fallback;
  if (!isValidTtl(value)) throw badOption(name, 'must be a positive, finite number', value);
  return value;
}

function nonNegativeNumber(options: TokenSessionOptions, name: Name, fallback: number): number {
  const value = options[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw badOption(name, 'must be a finite number, 0 or more', value);
  }
  return value;
}

function positiveInteger(options: TokenSessionOptions, name: Name, fallback: number): number {
  const value = options[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw badOption(name, 'must be a positive integer', value);
  }
  return value;
}

function booleanOption(options: TokenSessionOptions, name: Name, fallback: boolean): boolean {
  const value = options[name] ?? fallback;
  if (typeof value !== 'boolean') throw badOption(name, 'must be true or false', value);
  return value;
}

function functionOption<F>(options: TokenSessionOptions, name: Name, fallback: F): F {
  const value = options[name] ?? fallback;
  if (typeof value !== 'function') throw badOption(name, 'must be a function', value);
  return value as F;
}

function nonEmptyString(options: TokenSessionOptions, name: Name): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw badOption(name, 'must be a non-empty string', value);
  return value;
}

/** 1.x's, through the session-memory-store it made: sessions idle 30 minutes. */
const DEFAULT_TTL_SECONDS = 1800;

function storeOption(store: unknown): ExpressSessionStore {
  if (typeof store !== 'object' || store === null) throw badOption('store', 'must be a store object', store);
  for (const method of ['get', 'set', 'destroy'] as const) {
    if (typeof (store as Record<string, unknown>)[method] !== 'function') {
      throw badOption('store', `has no ${method}() method; an express-session-compatible store needs get, set and destroy`);
    }
  }
  return store as ExpressSessionStore;
}

const INDEX_METHODS = ['add', 'remove', 'owned', 'keyOf', 'claim'];

function isSessionIndex(value: unknown): value is SessionIndex {
  return typeof value === 'object' && value !== null && INDEX_METHODS.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
}

/** A store may bring its own index (pgStore keeps owners and claims in its tables). */
function storesOwnIndex(store: ExpressSessionStore): SessionIndex | undefined {
  const { index } = store as { index?: unknown };
  return isSessionIndex(index) ? index : undefined;
}

function indexOption(index: unknown): SessionIndex {
  if (index === undefined) return memoryIndex();
  if (!isSessionIndex(index)) throw badOption('index', `must be a session index (${INDEX_METHODS.join(', ')}), such as redisIndex(client)`);
  return index;
}

function badOption(name: string, problem: string, value?: unknown): TokenSessionError {
  const got = arguments.length > 2 ? ` (got ${describeValue(value)})` : '';
  return new TokenSessionError('ERR_OPTIONS', `option "${name}" ${problem}${got}`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
