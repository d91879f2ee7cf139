// The store key of a token, computed here independently of src/core/tokens.ts.
import { createHash } from 'node:crypto';

/** The first 24 bytes of the token's SHA-256, base64url: 32 characters, as express-session's ids. */
export const storeKeyOfToken = (token: string): string => createHash('sha256').update(token).digest().subarray(0, 24).toString('base64url');
