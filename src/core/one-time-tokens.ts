import { debuglog } from 'node:util';
import { buildRecord, expiresAt } from '../store/record';
import type { SessionIndex } from '../store/session-index';
import { copyData } from './data';
import type { ResolvedOptions } from './options';
import type { SessionStore } from './session-store';
import { ttlMsOf } from './ttl';
import { assertToken, onceKeyOf } from './tokens';

const debug = debuglog('token-session');

/**
 * Tokens for time-limited links and codes (email verification, password reset), good once.
 * Their records live under keys no session token maps to, and are marked `once`, so a one-time
 * token is never a session token and a session token can never be consumed.
 */
export class OneTimeTokens<T> {
  readonly #records: SessionStore<T>;
  readonly #index: SessionIndex;
  readonly #options: ResolvedOptions;

  constructor(records: SessionStore<T>, options: ResolvedOptions) {
    this.#records = records;
    this.#index = options.index;
    this.#options = options;
  }

  async issue(data: T, ttlSeconds: number): Promise<string> {
    const ttlMs = ttlMsOf(ttlSeconds);
    const stored = this.#records.storable(data);
    const token = this.#records.newToken();
    const now = Date.now();
    await this.#records.write(this.#keyOf(token), buildRecord(stored, ttlMs, now, now, this.#options, { once: true }));
    return token;
  }

  async consume(token: string): Promise<T | null> {
    assertToken(token);
    const key = this.#keyOf(token);
    const record = await this.#records.readLive(key);
    // Many callers may read the record; only the one that wins the claim gets the data.
    if (!record?.once || !(await this.#index.claim(key, expiresAt(record)))) return null;
    // The claim alone keeps the token spent; a failed removal only leaves a record that expires.
    await Promise.resolve(this.#records.erase(key)).catch((err: unknown) => debug('removing a consumed one-time token failed: %o', err));
    return copyData(record.data as T);
  }

  #keyOf(token: string): string {
    return onceKeyOf(token, this.#options.hashTokens);
  }
}
