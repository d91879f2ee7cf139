// The callback convention: every method calls a given callback exactly once, never an unhandled rejection.
import { TokenSession, type ExpressSessionStore } from '../../src';
import { brokenStore, fakeStore } from '../helpers/fake-stores';

type Sessions = TokenSession<Record<string, unknown>>;
type Call = (sessions: Sessions, method: string, ...args: unknown[]) => Promise<unknown>;

const viaPromise: Call = (sessions, method, ...args) =>
  (sessions as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!.call(sessions, ...args);

/** Calls the callback form, checking it returns undefined and calls back exactly once. */
const viaCallback: Call = (sessions, method, ...args) =>
  new Promise((resolve, reject) => {
    let calls = 0;
    const returned = (sessions as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!.call(
      sessions,
      ...args,
      (err: Error | null, result?: unknown) => {
        calls += 1;
        // Give a second call the chance to happen before judging.
        setTimeout(() => {
          if (calls !== 1) reject(new Error(`${method}: callback called ${calls} times`));
          else if (err) reject(err);
          else resolve(result);
        }, 5);
      },
    );
    if (returned !== undefined) reject(new Error(`${method}: returned ${String(returned)} with a callback`));
  });

/** Runs every method once, recording results with tokens replaced by their order of issue. */
async function script(call: Call, store: ExpressSessionStore): Promise<unknown[]> {
  const sessions: Sessions = new TokenSession({ store, touchAfter: 0 });
  const tokens: string[] = [];
  const name = (value: unknown) => (typeof value === 'string' && tokens.includes(value) ? `token#${tokens.indexOf(value)}` : value);
  const log: unknown[] = [];
  const run = async (method: string, ...args: unknown[]) => {
    try {
      const result = await call(sessions, method, ...args);
      if (typeof result === 'string') tokens.push(result);
      if (result && typeof result === 'object' && 'sid' in result) tokens.push((result as { sid: string }).sid);
      log.push([method, JSON.parse(JSON.stringify(result ?? null, (_k, v: unknown) => name(v)))]);
      return result;
    } catch (err) {
      log.push([method, 'rejects', (err as { code?: string }).code]);
      return undefined;
    }
  };

  await run('new', { a: 1 });
  await run('newSession', { b: 1 });
  await run('newWttl', { c: 1 }, 60);
  const [first, second] = tokens as [string, string];
  for (const method of ['get', 'getAndTouch', 'getNtouch', 'getNotTouch']) await run(method, first);
  await run('set', first, { a: 2 });
  await run('get', first);
  await run('setWttl', first, { a: 3 }, 30);
  await run('touch', first);
  await run('touch', 'unknown');
  const moved = await run('regenerate', first);
  await run('get', first);
  await run('get', moved);
  await run('destroy', moved);
  await run('destroy', moved);
  await run('get', second);
  await run('set', 'unknown', {});
  await run('new', 'not an object');
  await run('get', 'not a token!');
  await run('newWttl', {}, 0);
  return log;
}

test.each(['async callback', 'sync callback', 'promise', 'calls back twice'] as const)(
  'callback and Promise forms give the same results (%s store)',
  async (style) => {
    const promised = await script(viaPromise, fakeStore(style));
    const calledBack = await script(viaCallback, fakeStore(style));
    expect(calledBack).toEqual(promised);
    // And the results are the ones the contract names.
    expect(promised).toContainEqual(['regenerate', 'token#3']);
    expect(promised).toContainEqual(['get', { a: 3 }]);
    expect(promised).toContainEqual(['set', 'rejects', 'ERR_SESSION_NOT_FOUND']);
    expect(promised).toContainEqual(['new', 'rejects', 'ERR_INVALID_DATA']);
    expect(promised).toContainEqual(['get', 'rejects', 'ERR_INVALID_TOKEN']);
    expect(promised).toContainEqual(['newWttl', 'rejects', 'ERR_INVALID_TTL']);
    expect((promised as unknown[][]).filter(([m]) => m === 'destroy')).toEqual([['destroy', true], ['destroy', false]]);
  },
);

describe('a failing store fails every method with ERR_STORE, in both forms', () => {
  test.each(['errors', 'throws', 'rejects'] as const)('store %s', async (how) => {
    const sessions: Sessions = new TokenSession({ store: brokenStore(how) });
    const calls: Array<[string, unknown[]]> = [
      ['new', [{}]], ['newWttl', [{}, 5]], ['get', ['abc']], ['getNotTouch', ['abc']], ['set', ['abc', {}]],
      ['setWttl', ['abc', {}, 5]], ['touch', ['abc']], ['destroy', ['abc']], ['regenerate', ['abc']],
    ];
    for (const [method, args] of calls) {
      await expect(viaPromise(sessions, method, ...args)).rejects.toMatchObject({ code: 'ERR_STORE' });
      await expect(viaCallback(sessions, method, ...args)).rejects.toMatchObject({ code: 'ERR_STORE' });
    }
  });

  test('a store that never answers fails with ERR_STORE_TIMEOUT', async () => {
    const sessions: Sessions = new TokenSession({ store: brokenStore('never answers'), storeTimeout: 30 });
    await expect(sessions.get('abc')).rejects.toMatchObject({ code: 'ERR_STORE_TIMEOUT' });
    await expect(viaCallback(sessions, 'new', {})).rejects.toMatchObject({ code: 'ERR_STORE_TIMEOUT' });
  });
});
