// The README's "Browsers on another origin" program, as written there, called in Chromium from a page on another origin.
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from '../helpers/chromium';
import { startAnsweringProcess, type ServerProcess } from '../helpers/example-process';
import { freePort } from '../helpers/servers';

const root = join(__dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const HEADING = '### Browsers on another origin';
const section = readme.includes(HEADING) ? readme.slice(readme.indexOf(HEADING), readme.indexOf('\n## ', readme.indexOf(HEADING))) : '';
const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** Replaces `from`, which must occur exactly once: a README edit that breaks a swap fails here, not later. */
function swapOnce(code: string, from: string, to: string): string {
  expect(code.split(from).length - 1).toBe(1);
  return code.replace(from, to);
}

/** A plain page on http://127.0.0.1:<port>: an origin of its own, with nothing on it but a document to run fetch from. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>app</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Runs `program` with node from a file in the repository (so `token-session/express` is the
 * built package, by self-reference), on `port`; resolves once it answers, and the file is gone.
 */
async function runProgram(program: string, port: number): Promise<ServerProcess> {
  const file = join(root, `.readme-cors-${randomUUID()}.mjs`);
  writeFileSync(file, program);
  try {
    return await startAnsweringProcess(file, root, `http://127.0.0.1:${port}/me`);
  } finally {
    rmSync(file);
  }
}

/** What a page learns, by fetch, signing in on `api` and reading the session back with the token it got. */
interface SignIn {
  /** `x-session-token` on the sign-in response, as the page can read it. */
  header: string | null;
  /** The token in the sign-in response's body. */
  token: string;
  /** GET /me with no token: the 401, as the page can read it. */
  anonymous: number;
  /** GET /me with the token (the header's, else the body's) sent as `send` says. */
  me: { status: number; body: unknown };
}

function signInFrom(page: Page, api: string, send: 'x-session-token' | 'authorization' = 'x-session-token'): Promise<SignIn> {
  return page.evaluate(async ({ api, send }) => {
    const login = await fetch(`${api}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ana' }) });
    const header = login.headers.get('x-session-token');
    const { token } = (await login.json()) as { token: string };
    const anonymous = (await fetch(`${api}/me`)).status;
    const sent = header ?? token;
    const me = await fetch(`${api}/me`, { headers: send === 'authorization' ? { authorization: `Bearer ${sent}` } : { 'x-session-token': sent } });
    return { header, token, anonymous, me: { status: me.status, body: await me.json() } };
  }, { api, send });
}

describeWithChromium('the README\'s CORS set-up, from a page on another origin in Chromium', () => {
  let browser: Browser;
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };

  beforeAll(async () => {
    browser = await launchChromium();
    allowed = await pageServer();
    other = await pageServer();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    allowed?.server.close();
    other?.server.close();
  });

  const asWritten = (code: string) => code;

  /**
   * Runs the README's program, allowing the page origin `allowed` and listening on a free port
   * (changed first by `edit`), opens a page on `from`, and hands both to `check`.
   */
  async function fromPage(from: string, edit: (code: string) => string, check: (page: Page, api: string) => Promise<void>): Promise<void> {
    const port = await freePort();
    const program = edit(swapOnce(swapOnce(blocks[0]!, "'https://app.example.com'", `'${allowed.origin}'`), '3000', String(port)));
    const api = await runProgram(program, port);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(from);
      // Another host name than the page's, so another origin even were the ports the same.
      await check(page, `http://localhost:${port}`);
    } finally {
      await context.close();
      await api.stop();
    }
  }

  test('the section has one program', () => {
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toContain("exposedHeaders: ['x-session-token']");
  });

  test('the allowed page reads the new token from the header, and sends it back (the preflight passes)', () =>
    fromPage(allowed.origin, asWritten, async (page, api) => {
      const seen = await signInFrom(page, api);
      expect(seen.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(seen.header).toBe(seen.token);
      expect(seen.anonymous).toBe(401); // readable: the 401 carries the CORS headers too
      expect(seen.me).toEqual({ status: 200, body: { user: 'ana' } });
    }));

  test('without exposedHeaders, the same page reads null for the header, though the body has the token', () =>
    fromPage(allowed.origin, (code) => swapOnce(code, "  exposedHeaders: ['x-session-token'],", ''), async (page, api) => {
      const seen = await signInFrom(page, api);
      expect(seen.header).toBeNull();
      expect(seen.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Only reading is refused: sending the token is still allowed.
      expect(seen.me).toEqual({ status: 200, body: { user: 'ana' } });
    }));

  test('a page on an origin not allowed gets no answer: fetch rejects', () =>
    fromPage(other.origin, asWritten, async (page, api) => {
      const outcome = (call: string) => page.evaluate(`${call}.then((res) => 'answered ' + res.status, (err) => err.name)`);
      // Preflighted (a JSON body, a token header), and a plain GET whose answer the browser withholds.
      expect(await outcome(`fetch('${api}/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"mallory"}' })`)).toBe('TypeError');
      expect(await outcome(`fetch('${api}/me', { headers: { 'x-session-token': 'x'.repeat(43) } })`)).toBe('TypeError');
      expect(await outcome(`fetch('${api}/me')`)).toBe('TypeError');
    }));

  test("registered before the session middleware, it answers the preflight, and the middleware's own 401 is readable (required: true)", () =>
    fromPage(allowed.origin, (code) => swapOnce(code, 'expressTokenSession({ ', 'expressTokenSession({ required: true, '), async (page, api) => {
      const status = (headers: Record<string, string>) => page.evaluate(async ({ api, headers }) => (await fetch(`${api}/me`, { headers })).status, { api, headers });
      expect(await status({})).toBe(401);
      expect(await status({ 'x-session-token': 'x'.repeat(43) })).toBe(401); // preflighted
    }));

  test("with header: 'authorization', as the section says: allow authorization, and the new token still comes in x-session-token", () =>
    fromPage(
      allowed.origin,
      (code) => swapOnce(swapOnce(code, 'expressTokenSession({ ', "expressTokenSession({ header: 'authorization', "), "allowedHeaders: ['content-type', 'x-session-token']", "allowedHeaders: ['content-type', 'authorization']"),
      async (page, api) => {
        const seen = await signInFrom(page, api, 'authorization');
        expect(seen.header).toBe(seen.token);
        expect(seen.me).toEqual({ status: 200, body: { user: 'ana' } });
      },
    ));
});
