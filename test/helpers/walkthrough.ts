// The examples' walkthrough (examples/README.md), run against a server: login, count, read, logout.

/** Every example server answers it the same way, on every framework and runtime. */
export async function walkThroughExample(url: string): Promise<void> {
  const login = await fetch(`${url}/login?user=ana`, { method: 'POST' });
  const { token } = (await login.json()) as { token: string };
  expect(login.headers.get('x-session-token')).toBe(token);
  expect(login.headers.get('cache-control')).toBe('no-store');
  expect(login.headers.get('set-cookie')).toBeNull();
  const headers = { 'x-session-token': token };

  expect(await (await fetch(`${url}/count`, { method: 'POST', headers })).json()).toEqual({ count: 1 });
  expect(await (await fetch(`${url}/count`, { method: 'POST', headers })).json()).toEqual({ count: 2 });
  const me = await fetch(`${url}/me`, { headers });
  expect(await me.json()).toEqual({ user: 'ana', count: 2 });
  expect(me.headers.get('x-session-token')).toBeNull(); // a token goes out only when one was issued
  expect((await fetch(`${url}/logout`, { method: 'POST', headers })).status).toBe(200);
  expect((await fetch(`${url}/me`, { headers })).status).toBe(401);
  expect((await fetch(`${url}/me`)).status).toBe(401);
}
