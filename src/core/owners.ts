// "Log out everywhere": an owner's sessions, listed and ended through the owner index.
import { TokenSessionError } from '../errors';
import { expiresAt, type SessionRecord } from '../store/record';
import type { SessionIndex } from '../store/session-index';
import { intentOf } from './commit-plan';
import { copyData } from './data';
import type { ResolvedOptions } from './options';
import type { SessionRecords } from './session-records';

/** One of an owner's sessions, as `list` shows it. `id` is a public id, never the token. */
export interface SessionInfo<T> {
  id: string;
  data: T;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  expiresAt: number;
  /** With the `metadata` option: epoch ms of the session's last write (a change or a touch). */
  lastSeenAt?: number;
  /** With the `metadata` option: the user agent of the request that made the session. */
  userAgent?: string;
  /** With the `metadata` option: the address of the client that made the session. */
  ip?: string;
}

interface Owned<T> {
  id: string;
  key: string;
  record: SessionRecord<T>;
}

/**
 * "Log out everywhere": the sessions of one owner (the data's `ownerKey` field), found through
 * the index and checked against the store, so an index entry outliving its session is dropped.
 */
export class Owners<T> {
  readonly #records: SessionRecords<T>;
  readonly #index: SessionIndex;
  readonly #ownerKey: string | undefined;

  constructor(records: SessionRecords<T>, options: ResolvedOptions) {
    this.#records = records;
    this.#index = options.index;
    this.#ownerKey = options.ownerKey;
  }

  async list(owner: string): Promise<SessionInfo<T>[]> {
    return (await this.#owned(owner)).map(({ id, record }) => {
      const info: SessionInfo<T> = { id, data: copyData(record.data), createdAt: record.createdAt, expiresAt: expiresAt(record) };
      const { meta } = record;
      if (meta !== undefined) {
        info.lastSeenAt = meta.lastSeenAt;
        if (meta.userAgent !== undefined) info.userAgent = meta.userAgent;
        if (meta.ip !== undefined) info.ip = meta.ip;
      }
      return info;
    });
  }

  async destroyAll(owner: string, options: unknown = {}): Promise<number> {
    const except = exceptOf(options);
    const sessions = (await this.#owned(owner)).filter(({ id }) => id !== except);
    const ended = await Promise.all(sessions.map(({ key, record }) => this.#records.commit(intentOf(key, null), record)));
    return ended.filter(({ reason }) => reason === 'erase').length;
  }

  /** Ends `owner`'s oldest live sessions (by `createdAt`) beyond `max`, never the one under `keep`, which has just joined. */
  async cap(owner: string, max: number, keep: string): Promise<void> {
    const others = (await this.#owned(owner)).filter(({ key }) => key !== keep);
    const excess = others.length + 1 - max;
    if (excess <= 0) return;
    const oldest = others.sort((a, b) => a.record.createdAt - b.record.createdAt).slice(0, excess);
    await Promise.all(oldest.map(({ key, record }) => this.#records.commit(intentOf(key, null), record)));
  }

  async destroyById(id: string): Promise<boolean> {
    this.#requireOwnerKey();
    if (typeof id !== 'string' || id === '') {
      throw new TokenSessionError('ERR_INVALID_TOKEN', 'a session id must be a non-empty string');
    }
    const key = await this.#index.keyOf(id);
    if (key === null) return false;
    const { reason } = await this.#records.commit(intentOf(key, null), undefined);
    return reason === 'erase';
  }

  async #owned(owner: unknown): Promise<Owned<T>[]> {
    const name = this.#ownerName(owner);
    const entries = await this.#index.owned(name);
    const found = await Promise.all(
      entries.map(async ({ id, key }) => {
        const record = await this.#records.readLive(key, 'session');
        if (record && record.owner === name) return { id, key, record };
        await this.#index.remove(id);
        return null;
      }),
    );
    return found.filter((session) => session !== null);
  }

  #ownerName(owner: unknown): string {
    this.#requireOwnerKey();
    if ((typeof owner !== 'string' || owner === '') && typeof owner !== 'number') {
      throw new TokenSessionError('ERR_INVALID_DATA', `an owner must be a non-empty string or a number, got ${typeof owner}`);
    }
    return String(owner);
  }

  #requireOwnerKey(): void {
    if (this.#ownerKey === undefined) {
      throw new TokenSessionError('ERR_OPTIONS', 'list, destroyAll and destroyById need the ownerKey option');
    }
  }
}

/** `destroyAll`'s `{ except }`: a public id to keep, or none. */
function exceptOf(options: unknown): string | undefined {
  if (typeof options !== 'object' || options === null) throw new TokenSessionError('ERR_OPTIONS', 'destroyAll\'s options must be an object: { except: publicId }');
  const { except } = options as { except?: unknown };
  if (except !== undefined && (typeof except !== 'string' || except === '')) {
    throw new TokenSessionError('ERR_OPTIONS', `destroyAll's "except" must be a public id (a non-empty string), got ${typeof except}`);
  }
  return except as string | undefined;
}
