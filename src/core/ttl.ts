// A per-call TTL in seconds, checked and turned into ms.
import { TokenSessionError } from '../errors';
import { isValidTtl } from './options';

/** A per-call TTL in seconds (`newWttl`, `setWttl`, `newOnce`, `create({ ttl })`), checked, as ms. */
export function ttlMsOf(ttlSeconds: unknown): number {
  if (!isValidTtl(ttlSeconds)) {
    throw new TokenSessionError('ERR_INVALID_TTL', `a TTL must be a positive, finite number of seconds (got ${String(ttlSeconds)})`);
  }
  return ttlSeconds * 1000;
}
