// TokenSessionError, the one error class, and its codes.
/**
 * Every failure the library reports is a `TokenSessionError`; branch on `code`, never on the message.
 *
 * This module is a leaf that every layer imports, so the store layer can raise typed errors without
 * importing the engine.
 */
export type TokenSessionErrorCode =
  /** A constructor option is missing, of the wrong type or out of range. */
  | 'ERR_OPTIONS'
  /** Session data is not a plain JSON-serialisable object, or is larger than `maxDataBytes`. */
  | 'ERR_INVALID_DATA'
  /** A per-call TTL is not a positive number of seconds. */
  | 'ERR_INVALID_TTL'
  /** A token is not a string of the accepted shape (also: `genid` returned such a value). */
  | 'ERR_INVALID_TOKEN'
  /** `set`, `setWttl` or `regenerate` named a session that was never issued or has expired. */
  | 'ERR_SESSION_NOT_FOUND'
  /** A request handler set `data` on a request that has no session (call `create()` first). */
  | 'ERR_NO_SESSION'
  /** The store reported an error, or threw. The store's own error is the `cause`. */
  | 'ERR_STORE'
  /** The store did not answer within `storeTimeout` ms. */
  | 'ERR_STORE_TIMEOUT'
  /** The store cannot do this where it runs (redisStore's `all`, `length` and `clear` on a Redis Cluster, which would scan every node). */
  | 'ERR_UNSUPPORTED';

export class TokenSessionError extends Error {
  readonly code: TokenSessionErrorCode;

  constructor(code: TokenSessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(`token-session: ${message}`, options);
    this.name = 'TokenSessionError';
    this.code = code;
  }
}

export function isTokenSessionError(value: unknown): value is TokenSessionError {
  return value instanceof TokenSessionError;
}
