// Store faults in a process of their own, where an unhandled rejection would end it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FAULTS } from '../helpers/switchable-store';

// Store faults on every framework of bench/apps.mjs (Hono included) in a process of their own (test/fixtures/faults.mjs, on the
// built package), where Node's default applies: an unhandled rejection ends the process.
test('every store fault, on load and on commit, on every framework: 503 or a late 200, never an unhandled rejection', () => {
  const run = spawnSync(process.execPath, [join(__dirname, '../fixtures/faults.mjs')], { encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).not.toMatch(/Unhandled|unhandled/);
  expect(run.status).toBe(0);
  const results = JSON.parse(run.stdout.trim().split('\n').pop()!) as Array<Record<string, string | number>>;
  const frameworks = ['express', 'fastify', 'koa', 'hapi', 'hono'];
  expect([...new Set(results.map(({ framework }) => framework))]).toEqual(frameworks);
  expect(results).toHaveLength(frameworks.length * FAULTS.length * 2);
  for (const { framework, fault, method, status, after } of results) {
    const expected = fault === 'answers after 100 ms' ? 200 : 503;
    expect({ framework, fault, method, status }).toEqual({ framework, fault, method, status: expected });
    expect({ framework, fault, method, after }).toEqual({ framework, fault, method, after: 200 });
  }
}, 60_000);
