// The examples run as the README says.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { walkThroughExample } from './helpers/walkthrough';

// Each example server, run as a user would run it (on the built package), through its walkthrough.
const root = join(__dirname, '..');

function startExample(name: string, env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(root, 'examples', `${name}.mjs`)], {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolve({ url: match[1]!, child });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output}`)));
  });
}

test('examples/express.mjs: a client that keeps sending bad tokens gets 429 for the rest of the window', async () => {
  const { url, child } = await startExample('express', { INVALID_TOKEN_LIMIT: '5' });
  try {
    const guesses = ['not a token!', ...Array.from({ length: 4 }, (_, i) => `guessed-token-number-${i}`)];
    for (const guess of guesses) {
      expect((await fetch(`${url}/me`, { headers: { 'x-session-token': guess } })).status).toBe(401);
    }
    const blocked = await fetch(`${url}/me`, { headers: { 'x-session-token': 'one-guess-too-many' } });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('60');
    // The guard counts per address; every request here comes from 127.0.0.1, so even a good token waits.
    expect((await fetch(`${url}/login`, { method: 'POST' })).status).toBe(429);
  } finally {
    child.kill();
  }
}, 20_000);

test('examples/express.mjs (the demo): a user cannot end another user\'s session by its public id', async () => {
  const { url, child } = await startExample('express');
  try {
    const login = async (user: string) =>
      ((await (await fetch(`${url}/login?user=${user}`, { method: 'POST' })).json()) as { token: string }).token;
    const ana = await login('ana');
    const bo = await login('bo');
    const [boSession] = (await (await fetch(`${url}/sessions`, { headers: { 'x-session-token': bo } })).json()) as Array<{ id: string }>;
    const attempt = await fetch(`${url}/sessions/${boSession!.id}/end`, { method: 'POST', headers: { 'x-session-token': ana } });
    expect(attempt.status).toBe(404);
    expect((await fetch(`${url}/me`, { headers: { 'x-session-token': bo } })).status).toBe(200);
  } finally {
    child.kill();
  }
}, 20_000);

test('examples/express.mjs (the demo): a verification link with no code, a malformed one or two answers 410, not 500', async () => {
  const { url, child } = await startExample('express');
  try {
    for (const query of ['', '?code=', '?code=%00%FF', '?code=a&code=b', '?code[x]=1', `?code=${'x'.repeat(300)}`, '?code=never-issued-code']) {
      expect((await fetch(`${url}/verify${query}`)).status).toBe(410);
    }
  } finally {
    child.kill();
  }
}, 20_000);

test.each(['express', 'koa', 'fastify', 'hapi'])('examples/%s.mjs: login, count, read, logout', async (name) => {
  const { url, child } = await startExample(name);
  try {
    await walkThroughExample(url);
  } finally {
    child.kill();
  }
}, 20_000);

test('examples/programmatic.mjs runs the API end to end', async () => {
  const child = spawn(process.execPath, [join(root, 'examples/programmatic.mjs')], { cwd: root });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  expect(output).toMatch(/get\(that token\) 2\.1 s later\s+null/);
  expect(output).toMatch(/set\(unknown token\)\s+"ERR_SESSION_NOT_FOUND"/);
}, 20_000);
