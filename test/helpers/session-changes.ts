// What every AtomicSessionStore is tested for: the whole API on it, and that it applies a change as applySessionChange does.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { applySessionChange, type AtomicSessionStore, type SessionChange, type SessionRecord } from '../../src/adapter';
import type { TokenSession } from '../../src';
import { storeKeyOfToken } from './store-keys';

/** A change of the session under `key` that changes nothing, but for `over`. */
export const change = (key: string, over: Partial<SessionChange> = {}): SessionChange => ({
  key, to: key, set: {}, unset: [], replace: false, ttlMs: undefined, absoluteTtlMs: undefined, owner: undefined, now: Date.now(), returnRecord: true, ...over,
});

/** A store's answer to a change that asked for the record back: the record, or `null`. */
export function recordIn(answer: SessionRecord | true | null): SessionRecord | null {
  if (answer === true) throw new Error('the store answered true to a change that asked for the record');
  return answer;
}

/** The owner a change names with ownerKey 'user', by the contract's rule: a string, null, or undefined to keep it. */
function ownerAfter(set: Record<string, unknown>, unset: string[], replace: boolean): string | null | undefined {
  if (replace || Object.hasOwn(set, 'user')) return typeof set['user'] === 'string' || typeof set['user'] === 'number' ? String(set['user']) : null;
  return unset.includes('user') ? null : undefined;
}

/**
 * Random sessions and random changes: the store's record afterwards (its answer, and what it
 * then reads back) is the one applySessionChange makes of what it held, compared as JSON keeps it.
 * Asked for no record back (`returnRecord: false`), it answers `true` or the record, and writes the same.
 */
export async function appliesChangesAsTheContractSays(store: AtomicSessionStore, sessions: TokenSession<Record<string, unknown>>, numRuns = 40): Promise<void> {
  const value = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }));
  const name = fc.constantFrom('a', 'b', 'user', 'é', '.dot', '$meta', 'toString');
  const data = fc.dictionary(name, value, { maxKeys: 5 });
  const read = (key: string) => new Promise<unknown>((resolve, reject) => store.get(key, (err, found) => (err ? reject(err) : resolve(found))));
  await fc.assert(fc.asyncProperty(data, data, fc.array(name, { maxLength: 3 }), fc.boolean(), fc.option(fc.integer({ min: 1000, max: 100_000 }), { nil: undefined }), fc.boolean(), async (initial, set, removed, replace, ttlMs, returnRecord) => {
    const { sid } = await sessions.new(initial);
    const key = storeKeyOfToken(sid);
    const unset = replace ? [] : removed;
    const asked = change(key, { set, unset, replace, ttlMs, owner: ownerAfter(set, unset, replace), absoluteTtlMs: 3_600_000, returnRecord });
    const expected = applySessionChange((await read(key)) as SessionRecord, asked)!;
    const answered = await store.updateSession(asked);
    const got = answered === true && !returnRecord ? (await read(key)) as SessionRecord : recordIn(answered)!;
    expect(got.data).toEqual(JSON.parse(JSON.stringify(expected.data))); // as JSON keeps it: -0 is 0
    expect(got.owner).toBe(expected.owner);
    expect(new Date(got.cookie.expires).getTime()).toBe(new Date(expected.cookie.expires).getTime());
    expect(got.cookie.originalMaxAge).toBe(expected.cookie.originalMaxAge);
    expect(await read(key)).toEqual(got);
  }), { numRuns });
}

/**
 * A new sign-in (`reauthenticate()`) reaches the store as a move with `authenticatedAt`: the
 * record has it afterwards, and keeps it through later changes and touches, which name none.
 */
export async function keepsTheSignInTime(store: AtomicSessionStore, sessions: TokenSession<Record<string, unknown>>): Promise<void> {
  const read = (key: string) => new Promise<SessionRecord | null>((resolve, reject) => store.get(key, (err, found) => (err ? reject(err) : resolve(found as SessionRecord | null))));
  const { sid } = await sessions.new({ user: 'ana' });
  const key = storeKeyOfToken(sid);
  expect((await read(key))!.authenticatedAt).toBeUndefined(); // a new session's sign-in is its createdAt
  const signedIn = Date.now() + 5000;
  const to = storeKeyOfToken(`${sid}-moved`);
  const moved = recordIn(await store.updateSession(change(key, { to, authenticatedAt: signedIn })));
  expect(moved!.authenticatedAt).toBe(signedIn);
  expect(await read(key)).toBeNull();
  await store.updateSession(change(to, { set: { n: 1 } }));
  await store.updateSession(change(to, { ttlMs: 60_000 }));
  const after = (await read(to))!;
  expect(after.authenticatedAt).toBe(signedIn);
  expect(after.data).toEqual({ user: 'ana', n: 1 });
  expect(applySessionChange(after, change(to, { set: { n: 2 } }))!.authenticatedAt).toBe(signedIn);
}

/**
 * With `metadata`, a change names `lastSeenAt`: the store sets it and keeps the rest of `meta`
 * (who made the session) through that change, later ones that name none, and a new key.
 */
export async function keepsTheMetadata(store: AtomicSessionStore, sessions: TokenSession<Record<string, unknown>>): Promise<void> {
  const read = (key: string) => new Promise<SessionRecord | null>((resolve, reject) => store.get(key, (err, found) => (err ? reject(err) : resolve(found as SessionRecord | null))));
  const write = (key: string, record: SessionRecord) => new Promise<void>((resolve, reject) => store.set(key, record, (err) => (err ? reject(err) : resolve())));
  const { sid } = await sessions.new({ user: 'ana' });
  const key = storeKeyOfToken(sid);
  const made = (await read(key))!;
  await write(key, { ...made, meta: { userAgent: 'TestBrowser/1.0', ip: '203.0.113.7', lastSeenAt: made.createdAt } });
  const seen = made.createdAt + 1000;
  expect(recordIn(await store.updateSession(change(key, { set: { n: 1 }, lastSeenAt: seen })))!.meta).toEqual({ userAgent: 'TestBrowser/1.0', ip: '203.0.113.7', lastSeenAt: seen });
  await store.updateSession(change(key, { set: { n: 2 } }));
  expect((await read(key))!.meta).toEqual({ userAgent: 'TestBrowser/1.0', ip: '203.0.113.7', lastSeenAt: seen });
  const to = storeKeyOfToken(`${sid}-moved`);
  await store.updateSession(change(key, { to, lastSeenAt: seen + 1000 }));
  expect((await read(to))!.meta).toEqual({ userAgent: 'TestBrowser/1.0', ip: '203.0.113.7', lastSeenAt: seen + 1000 });
}

/**
 * The whole API on a store, with ownerKey 'user': reads, writes, TTLs, a new token, owners and
 * their lists, one-time codes (50 consumers at once, one winner). `stored(token)` says whether
 * the store still holds the session's key.
 */
export async function runsTheWholeApi(sessions: TokenSession<Record<string, unknown>>, stored: (token: string) => Promise<boolean>): Promise<void> {
  const { sid } = await sessions.new({ user: 'ana', n: 1, cart: [] });
  expect(await sessions.get(sid)).toEqual({ user: 'ana', n: 1, cart: [] });
  await sessions.set(sid, { user: 'ana', n: 2 });
  expect(await sessions.getNotTouch(sid)).toEqual({ user: 'ana', n: 2 });
  await sessions.setWttl(sid, { user: 'ana', n: 3 }, 60);
  expect(await sessions.getAndTouch(sid)).toEqual({ user: 'ana', n: 3 });
  expect(await sessions.touch(sid)).toBe(true);
  const moved = await sessions.regenerate(sid);
  expect(await sessions.get(sid)).toBeNull();
  expect(await stored(sid)).toBe(false);
  expect(await sessions.get(moved)).toEqual({ user: 'ana', n: 3 });
  const [listed] = await sessions.list('ana');
  // The public id is the one token-session derives from the key, however the store finds it.
  const publicId = createHash('sha256').update(`token-session:public-id:${storeKeyOfToken(moved)}`).digest('base64url');
  expect(listed).toMatchObject({ id: publicId, data: { user: 'ana', n: 3 } });
  expect(await sessions.destroyById(listed!.id)).toBe(true);
  expect(await stored(moved)).toBe(false);
  const others = [(await sessions.new({ user: 'bo' })).sid, (await sessions.new({ user: 'bo' })).sid];
  expect(await sessions.destroyAll('bo')).toBe(2);
  for (const other of others) expect(await sessions.get(other)).toBeNull();
  expect(await sessions.destroy(others[0]!)).toBe(false);
  await expect(sessions.set(others[0]!, { user: 'bo' })).rejects.toMatchObject({ code: 'ERR_SESSION_NOT_FOUND' });
  expect(await sessions.touch(others[0]!)).toBe(false);
  // A change of the ownerKey field moves the session to its new owner's list.
  const moving = (await sessions.new({ user: 'cy' })).sid;
  await sessions.set(moving, { user: 'di' });
  expect(await sessions.list('cy')).toEqual([]);
  expect((await sessions.list('di')).map(({ data }) => data)).toEqual([{ user: 'di' }]);
  // A one-time code's record is never a session: no change reaches it.
  const code = await sessions.newOnce({ purpose: 'reset' }, 60);
  await expect(sessions.set(code, { user: 'mallory' })).rejects.toMatchObject({ code: 'ERR_SESSION_NOT_FOUND' });
  expect(await sessions.touch(code)).toBe(false);
  const claims = await Promise.all(Array.from({ length: 50 }, () => sessions.consume(code)));
  expect(claims.filter((claim) => claim !== null)).toEqual([{ purpose: 'reset' }]);
}
