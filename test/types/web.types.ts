// Type tests of token-session/hono and /fetch: checked by `npm run typecheck`, never executed.
// SessionData is augmented in core.types.ts (userId?: string), which this program includes.
import { Hono } from 'hono';
import { fetchTokenSession, type TokenSessionHandle } from '../../integrations/fetch';
import { honoTokenSession, type TokenSessionEnv } from '../../integrations/hono';

export function honoVariablesFromUse(): void {
  const ts = honoTokenSession({ ttl: 60 });
  // app.use(ts) adds the middleware's Variables to the app's Env: c.get('tokenSession') is typed after it.
  new Hono().use(ts).get('/me', ts.requireSession, (c) => {
    const session: TokenSessionHandle = c.get('tokenSession');
    const userId: string | undefined = session.data.userId;
    // @ts-expect-error userId is a string (the SessionData augmentation)
    session.data.userId = 1;
    // @ts-expect-error id is read-only
    session.id = 'x';
    return c.json({ userId });
  });
}

export function honoVariablesFromEnv(): void {
  interface Cart {
    items: string[];
  }
  const ts = honoTokenSession<Cart>();
  const app = new Hono<TokenSessionEnv<Cart>>();
  app.use(ts);
  app.post('/cart', (c) => {
    const items: string[] = c.get('tokenSession').data.items;
    // @ts-expect-error the data is a Cart
    c.get('tokenSession').data.items = 'not a list';
    // @ts-expect-error no such variable
    c.get('tokenSessions');
    return c.json({ items });
  });
  // @ts-expect-error header must be a string
  honoTokenSession({ header: 1 });
  // @ts-expect-error the factory is not the middleware: app.use(honoTokenSession()) is
  app.use(honoTokenSession);
  // @ts-expect-error nor under a path
  app.use('/api/*', honoTokenSession);
  new Hono().use(honoTokenSession());
  void ts.sessions.list('ana');
  // One-time codes carry data of their own, whatever the session's type: the engine, and the handle's.
  app.post('/email-link', async (c) => c.json({ code: await ts.sessions.newOnce({ userId: 'u1', purpose: 'verify-email' }, 900) }));
  app.get('/verify', async (c) => {
    const claim = await c.get('tokenSession').sessions.consume<{ userId: string; purpose: string }>(c.req.query('code') ?? '');
    const userId: string | undefined = claim?.userId;
    return c.json({ userId });
  });
}

export async function fetchTypes(request: Request, env: { DB: string }): Promise<Response> {
  const sessions = fetchTokenSession({ onInvalidToken: ({ request: invalid }) => void invalid.headers.get('x-forwarded-for') });
  const handler = sessions.wrap((req: Request, session, bindings: { DB: string }) => Response.json({ id: session.id, db: bindings.DB, url: req.url }));
  // @ts-expect-error the handler's extra argument is required
  void handler(request);
  const session = await sessions.open(request);
  const userId: string | undefined = session.data.userId;
  const code: string = await session.sessions.newOnce({ userId, purpose: 'reset' }, 900);
  const claim: { userId?: string; purpose: string } | null = await sessions.sessions.consume<{ userId?: string; purpose: string }>(code);
  void [userId, claim];
  return (sessions.unauthorized(session) ?? (await sessions.commit(session, await handler(request, env))));
}
