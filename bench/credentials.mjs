/** Starts a session the way its client would: the token header, or the peer's cookie. */
export async function credentials(port, variant) {
  if (variant === 'bare' || variant === 'noop') return {};
  const res = await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST' });
  if (variant.startsWith('ts-')) return { 'x-session-token': (await res.json()).token };
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (!cookie) throw new Error(`no session cookie from the ${variant} login`);
  return { cookie };
}
