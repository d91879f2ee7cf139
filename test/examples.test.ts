import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

// Each example server, run as a user would run it (on the built package), through its walkthrough.
const root = join(__dirname, '..');

function startExample(name: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(root, 'examples', `${name}.mjs`)], {
    cwd: root,
    env: { ...process.env, PORT: '0' },
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

test.each(['express', 'koa', 'fastify', 'hapi'])('examples/%s.mjs: login, count, read, logout', async (name) => {
  const { url, child } = await startExample(name);
  try {
    const login = await fetch(`${url}/login?user=ana`, { method: 'POST' });
    const { token } = (await login.json()) as { token: string };
    expect(login.headers.get('x-session-token')).toBe(token);
    const headers = { 'x-session-token': token };

    expect(await (await fetch(`${url}/count`, { method: 'POST', headers })).json()).toEqual({ count: 1 });
    expect(await (await fetch(`${url}/count`, { method: 'POST', headers })).json()).toEqual({ count: 2 });
    expect(await (await fetch(`${url}/me`, { headers })).json()).toEqual({ user: 'ana', count: 2 });
    expect((await fetch(`${url}/logout`, { method: 'POST', headers })).status).toBe(200);
    expect((await fetch(`${url}/me`, { headers })).status).toBe(401);
    expect((await fetch(`${url}/me`)).status).toBe(401);
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
