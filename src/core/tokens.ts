// Tokens: generated, checked for shape, and turned one way into store keys and public ids.
import { platform } from './platform';
import { TokenSessionError } from '../errors';

/** Generates a new token; express-session's `genid` contract (it may read the request). */
export type GenId = (req?: unknown) => string;

/** 32 random bytes (256 bits), base64url: 43 characters, from the platform's source of random bytes. */
export const defaultGenId: GenId = () => platform.randomToken();

const MAX_TOKEN_LENGTH = 512;
// base64, base64url, hex, UUIDs and RFC 6750 bearer tokens all fit this alphabet.
// Checked by a RegExp, which V8 compiles to native code: faster than a hand-written table walk
// (BENCHMARKS.md, "Why the code is shaped so").
const TOKEN_SHAPE = /^[A-Za-z0-9\-_.~+/=]+$/;

/** Whether a value can be a token at all: checked before any store call. */
export function isTokenShaped(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && TOKEN_SHAPE.test(value);
}

export function assertToken(value: unknown): asserts value is string {
  if (!isTokenShaped(value)) {
    throw new TokenSessionError(
      'ERR_INVALID_TOKEN',
      `a token must be a string of 1 to ${MAX_TOKEN_LENGTH} characters from A-Z a-z 0-9 - _ . ~ + / =, got ${describe(value)}`,
    );
  }
}

/** A new token from `genid`, refused if it could never be sent back to us. */
export function issueToken(genid: GenId, req?: unknown): string {
  const token = genid(req);
  if (!isTokenShaped(token)) {
    throw new TokenSessionError('ERR_INVALID_TOKEN', `genid returned ${describe(token)}, which is not a valid token`);
  }
  return token;
}

/** 24 bytes in base64url; 4 characters encode 3 bytes, so these 32 are exactly the first 24 bytes of the digest. */
const STORE_KEY_LENGTH = 32;

/**
 * The store key of a token. Hashed, a dump of the store holds no usable token: SHA-256 of a
 * 256-bit random token cannot be reversed, so no salt or slow hash is needed (unlike passwords).
 * The key is the digest's first 24 bytes (192 bits, still one-way): 32 base64url characters,
 * the length of express-session's ids, which stores size their `sid` columns for
 * (connect-session-sequelize's is 36).
 */
export function storeKeyOf(token: string, hashTokens: boolean): string {
  return hashTokens ? platform.sha256(token).slice(0, STORE_KEY_LENGTH) : token;
}

/**
 * The public id of a session (what `list` shows and `destroyById` takes): derived one way from
 * its store key, so it names the session without being, or leading to, its token.
 */
export function publicIdOf(storeKey: string): string {
  return platform.sha256(`token-session:public-id:${storeKey}`);
}

/**
 * A one-time token's store key. The prefix ends in ':', which no token contains, so the key of
 * a one-time token can never be the key of a session token, hashed or not.
 */
export function onceKeyOf(token: string, hashTokens: boolean): string {
  return storeKeyOf(`once:${token}`, hashTokens);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  // The most likely mistake of all: `get(await sessions.new(data))`.
  if (typeof value === 'object' && value !== null && typeof (value as { sid?: unknown }).sid === 'string') {
    return 'the { sid, sessionId, data } object new() resolves to: pass its .sid';
  }
  return value === null ? 'null' : typeof value;
}
