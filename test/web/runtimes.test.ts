// examples/web/app.mjs (Hono, the default in-memory store) on each runtime, installed from npm: Node, Bun, Deno, and Cloudflare's workerd through miniflare.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/example-process';
import { walkThroughExample } from '../helpers/walkthrough';

const bin = (name: string) => join(__dirname, '../../node_modules/.bin', name);
// Their caches in a directory of their own, not the user's home.
const caches = mkdtempSync(join(tmpdir(), 'token-session-runtimes-'));

const RUNTIMES: Array<{ name: string; script: string; runtime?: string[]; env?: Record<string, string> }> = [
  { name: 'Node, @hono/node-server', script: 'examples/hono.mjs' },
  { name: 'Bun', script: 'examples/web/bun.mjs', runtime: [bin('bun')], env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: join(caches, 'bun') } },
  {
    name: 'Deno',
    script: 'examples/web/deno.mjs',
    runtime: [bin('deno'), 'run', '--allow-net=127.0.0.1', '--allow-read', '--allow-env'],
    env: { DENO_DIR: join(caches, 'deno'), NO_COLOR: '1' },
  },
  // Bundled by esbuild for the worker conditions, run without nodejs_compat: the web path, no Node built-in.
  { name: 'workerd (miniflare)', script: 'examples/web/workerd.mjs' },
];

test.each(RUNTIMES)('$name: login, count, read, logout', async ({ script, runtime, env }) => {
  const server = await startServerProcess(script, env ?? {}, runtime);
  try {
    await walkThroughExample(server.url);
  } finally {
    await server.stop();
  }
}, 60_000);

// With `metadata`, the Hono adapter reads the client's address where each runtime puts it: Bun's server, Deno's connection info.
test.each(RUNTIMES.filter(({ name }) => name === 'Bun' || name === 'Deno'))('$name: metadata records the user agent and the address the runtime gives', async ({ runtime, env }) => {
  const server = await startServerProcess('test/fixtures/web-metadata.mjs', env ?? {}, runtime);
  try {
    expect((await fetch(`${server.url}/login`, { method: 'POST', headers: { 'user-agent': 'TestBrowser/1.0' } })).status).toBe(200);
    const [device] = (await (await fetch(`${server.url}/devices`)).json()) as Array<{ userAgent?: string; ip?: string; lastSeenAt?: number }>;
    expect(device).toMatchObject({ userAgent: 'TestBrowser/1.0', ip: expect.stringMatching(/127\.0\.0\.1$/), lastSeenAt: expect.any(Number) });
  } finally {
    await server.stop();
  }
}, 60_000);

