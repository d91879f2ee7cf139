// token-session 1.x's README code, as written there, on the built package: a 1.x user switches without changing a line.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWith } from './helpers/real-servers';

const run = promisify(execFile);

describeWith('redis', "the 1.x README's examples, as written", () => {
  let steps: Record<string, any>;
  beforeAll(async () => {
    // Run by node, as a user's program: `require('token-session')` resolves to this package's build.
    const { stdout } = await run(process.execPath, [join(__dirname, 'fixtures', 'seed-readme.cjs')], { cwd: join(__dirname, '..'), env: process.env });
    steps = JSON.parse(stdout);
  });

  test("require('token-session') is the class, and its named exports are on it", () => {
    expect(steps['threw']).toBeUndefined();
    expect(steps['unhandledRejection']).toBeUndefined();
    expect(steps['constructor']).toBe(true);
    expect(steps['named exports on the class']).toEqual([true, 'function', 'function']);
    expect(steps['genid']).toBe(36);
  });

  test('new, get, getNtouch, set, newWttl, setWttl and touch, by callback', () => {
    expect(steps['new']).toEqual({ sidIsSessionId: true, data: { name: 'jhon', count: 0 } });
    expect(steps['get']).toEqual({ name: 'jhon', count: 0 });
    expect(steps['getNtouch']).toEqual({ name: 'jhon', count: 0 });
    expect(steps['set']).toBe('ok');
    expect(steps['after set']).toEqual({ name: 'jhon', count: 2 });
    expect(steps['setWttl']).toBe('ok');
    expect(steps['after setWttl']).toEqual({ name: 'jhon', count: 6 });
    expect(steps['touch']).toBe(true);
  });

  test("regenerate(sid, data, cb), and the README's destroy(cb) and regenerate(cb) with no sid", () => {
    expect(steps['regenerate']).toEqual({ old: null, new: { name: 'jhon', count: 3 } });
    expect(steps['destroy(cb)']).toBe('ERR_INVALID_TOKEN');
    expect(steps['regenerate(cb)']).toBe('ERR_INVALID_TOKEN');
    expect(steps['destroy(sid, cb)']).toBe(true);
    expect(steps['promises']).toEqual([{ via: 'promise' }, true, null]);
  });

  test('app.use(tokenSession.express), and connect-redis 3 made the way the README shows it', () => {
    expect(steps['express']).toEqual({ name: 'jhon' });
    expect(steps['connect-redis'].data).toEqual({ on: 'redis' });
    expect(steps['connect-redis'].ttl).toBeGreaterThanOrEqual(59);
    expect(steps['connect-redis'].ttl).toBeLessThanOrEqual(60);
    expect(steps['connect-redis'].newWttl).toBeGreaterThanOrEqual(599);
  });
});
