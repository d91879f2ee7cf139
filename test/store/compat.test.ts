// The whole API against real third-party stores.
import { TokenSession } from '../../src';
import { COMPAT_STORES, type CompatStore } from '../helpers/compat-stores';
import { describeWith } from '../helpers/real-servers';
import { storeKeyOfToken } from '../helpers/store-keys';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const factory of COMPAT_STORES) {
  const describeStore = factory.needs ? (name: string, body: () => void) => describeWith(factory.needs!, name, body) : describe;

  describeStore(`store compatibility: ${factory.name}`, () => {
    let backend: CompatStore;
    let sessions: TokenSession<Record<string, unknown>>;

    beforeAll(async () => {
      backend = await factory.open();
    });
    afterAll(() => backend.close());
    beforeEach(() => {
      sessions = new TokenSession({ store: backend.store, ttl: 600, touchAfter: 0 });
    });

    test('the whole API', async () => {
      const { sid } = await sessions.new({ user: 'ana', n: 1 });
      expect(await sessions.get(sid)).toEqual({ user: 'ana', n: 1 });
      expect(await sessions.getNotTouch(sid)).toEqual({ user: 'ana', n: 1 });
      await sessions.set(sid, { user: 'ana', n: 2 });
      expect(await sessions.getAndTouch(sid)).toEqual({ user: 'ana', n: 2 });
      await sessions.setWttl(sid, { user: 'ana', n: 3 }, 300);
      expect(await sessions.get(sid)).toEqual({ user: 'ana', n: 3 });
      expect(await sessions.touch(sid)).toBe(true);
      await expect(sessions.set('never-issued', {})).rejects.toMatchObject({ code: 'ERR_SESSION_NOT_FOUND' });
      expect(await sessions.touch('never-issued')).toBe(false);
      const moved = await sessions.regenerate(sid);
      expect(await sessions.get(sid)).toBeNull();
      expect(await sessions.get(moved)).toEqual({ user: 'ana', n: 3 });
      expect(await sessions.destroy(moved)).toBe(true);
      expect(await sessions.get(moved)).toBeNull();
      expect(await sessions.destroy(moved)).toBe(false);
    });

    test('per-session TTL: a 1 s session ends while a longer one on the same store lives', async () => {
      const short = await sessions.newWttl({ kind: 'short' }, 1);
      const long = await sessions.newWttl({ kind: 'long' }, 60);
      await sleep(1300);
      expect(await sessions.getNotTouch(short.sid)).toBeNull();
      expect(await sessions.getNotTouch(long.sid)).toEqual({ kind: 'long' });
    });

    test('per-session TTL as the store itself keeps it; touch moves it, destroy and regenerate drop keys', async () => {
      if (!backend.storeTtl) return; // in-process stores have no outside view of their expiry
      const storeTtl = backend.storeTtl;
      const short = await sessions.newWttl({}, 100);
      const long = await sessions.newWttl({}, 1000);
      expect(await storeTtl(storeKeyOfToken(short.sid))).toBeGreaterThan(95);
      // connect-pg-simple rounds its expiry up to a whole second.
      expect(await storeTtl(storeKeyOfToken(short.sid))).toBeLessThanOrEqual(101);
      expect(await storeTtl(storeKeyOfToken(long.sid))).toBeGreaterThan(995);

      await sessions.setWttl(short.sid, {}, 50);
      expect(await storeTtl(storeKeyOfToken(short.sid))).toBeLessThanOrEqual(51);
      await sleep(1100);
      const before = (await storeTtl(storeKeyOfToken(short.sid)))!;
      await sessions.touch(short.sid);
      expect(await storeTtl(storeKeyOfToken(short.sid))).toBeGreaterThan(before + 0.5);

      const moved = await sessions.regenerate(long.sid);
      expect(await storeTtl(storeKeyOfToken(long.sid))).toBeNull();
      expect(await storeTtl(storeKeyOfToken(moved))).toBeGreaterThan(995);
      await sessions.destroy(moved);
      expect(await storeTtl(storeKeyOfToken(moved))).toBeNull();
    });
  });
}
