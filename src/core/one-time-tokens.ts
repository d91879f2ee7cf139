// One-time tokens for time-limited links and codes: issued like a session, consumed exactly once.
import { debug } from './debug';
import { expiresAt } from '../store/record';
import type { SessionIndex } from '../store/session-index';
import { intentOf, type CommitIntent } from './commit-plan';
import { copyData } from './data';
import type { ResolvedOptions } from './options';
import type { SessionRecords } from './session-records';
import { ttlMsOf } from './ttl';
import { isTokenShaped, onceKeyOf } from './tokens';

/**
 * Tokens for time-limited links and codes (email verification, password reset), good once.
 * Their records live under keys no session token maps to, and are marked `once`, so a one-time
 * token is never a session token and a session token can never be consumed. Their data is a
 * code's own (`{ userId, purpose }`), not a session's `T`: hence records of no particular type.
 */
export class OneTimeTokens {
  readonly #records: SessionRecords<unknown>;
  readonly #index: SessionIndex;
  readonly #hashTokens: boolean;

  constructor(records: SessionRecords<unknown>, options: ResolvedOptions) {
    this.#records = records;
    this.#index = options.index;
    this.#hashTokens = options.hashTokens;
  }

  async issue(data: object, ttlSeconds: number): Promise<string> {
    const fresh = { ttlMs: ttlMsOf(ttlSeconds), createdAt: Date.now() };
    const token = this.#records.newToken();
    await this.#records.commit(onceIntent(null, onceKeyOf(token, this.#hashTokens), { fresh, data }), null);
    return token;
  }

  /**
   * The data of a live one-time token, once; `null` for any other. A code comes from a link, so
   * from the client: a missing or malformed one is "no such code" too, as the handler of a link
   * needs it (an "expired or invalid link" page), not an error. `D` is the caller's word for
   * what the code was issued with: the data is returned as stored, unchecked.
   */
  async consume<D extends object>(token: string): Promise<D | null> {
    if (!isTokenShaped(token)) return null;
    const key = onceKeyOf(token, this.#hashTokens);
    const record = await this.#records.readLive(key, 'once');
    // Many callers may read the record; only the one that wins the claim gets the data.
    if (record === null || !(await this.#index.claim(key, expiresAt(record)))) return null;
    // The claim alone keeps the token spent; a failed removal only leaves a record that expires.
    await Promise.resolve(this.#records.commit(onceIntent(key, null), record))
      .catch((err: unknown) => debug('removing a consumed one-time token failed: %o', err));
    return copyData(record.data) as D;
  }
}

function onceIntent<T>(from: string | null, to: string | null, ask: Partial<CommitIntent<T>> = {}): CommitIntent<T> {
  return intentOf(from, to, { ...ask, once: true });
}
