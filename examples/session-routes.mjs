// The JSON routes shared by the demo (examples/express.mjs) and the Redis example: sign-in, a
// counter, the user's sessions on every device (which browser, last seen, with `metadata`), "log
// out other devices" and "everywhere", a password change that wants a recent sign-in, an audit
// log of session events, and one-time email links. `sessions` needs `ownerKey: 'user'`;
// `middleware` is expressTokenSession's.
import { STATUS_CODES } from 'node:http';

const SHORT_TTL = Number(process.env.DEMO_SHORT_TTL ?? 20); // seconds, for "short session"
const MAX_AUTH_AGE = Number(process.env.DEMO_MAX_AUTH_AGE ?? 60); // seconds, for "change password"
const LINK_TTL = 15 * 60;
const AUDIT_LENGTH = 50;

export function addSessionRoutes(app, sessions, middleware) {
  const { requireSession } = middleware;
  // The last events of every session this process saw, newest first: `id` is a public id, never a token.
  const audit = [];
  for (const event of ['create', 'regenerate', 'destroy', 'expire']) {
    sessions.on(event, ({ id, owner, at }) => {
      audit.unshift({ event, id, owner, at });
      audit.length = Math.min(audit.length, AUDIT_LENGTH);
    });
  }

  app.post('/login', (req, res) => {
    const user = String(req.query.user ?? 'guest').trim();
    if (user === '' || user.length > 40) return refuse(res, 400, 'Give a name of 1 to 40 characters to sign in.');
    const options = req.query.short ? { ttl: SHORT_TTL } : {};
    const token = req.tokenSession.create({ user, count: 0 }, options); // also sent in the x-session-token header
    res.json({ token });
  });

  app.get('/me', requireSession, (req, res) => res.json(req.tokenSession.data));

  app.post('/count', requireSession, (req, res) => {
    req.tokenSession.data.count += 1; // written before the response leaves
    res.json({ count: req.tokenSession.data.count });
  });

  app.post('/logout', requireSession, (req, res) => {
    req.tokenSession.destroy();
    res.json({ ok: true });
  });

  // Every live session of this user; `id` is a public id, never a token.
  app.get('/sessions', requireSession, async (req, res, next) => {
    try {
      const mine = await sessions.list(req.tokenSession.data.user);
      const current = req.tokenSession.publicId;
      res.json(mine.map(({ id, createdAt, expiresAt, lastSeenAt, userAgent }) => ({
        id, createdAt, expiresAt, lastSeenAt: lastSeenAt ?? null, device: describeDevice(userAgent), current: id === current,
      })));
    } catch (err) {
      next(err);
    }
  });

  // Ends one of this user's sessions (a public id of someone else's is "not found").
  app.post('/sessions/:id/end', requireSession, async (req, res, next) => {
    try {
      const mine = await sessions.list(req.tokenSession.data.user);
      if (!mine.some((session) => session.id === req.params.id)) return refuse(res, 404, 'No such session of yours.');
      res.json({ ended: await sessions.destroyById(req.params.id) });
    } catch (err) {
      next(err);
    }
  });

  app.post('/logout-others', requireSession, async (req, res, next) => {
    try {
      res.json({ ended: await req.tokenSession.destroyOthers() });
    } catch (err) {
      next(err);
    }
  });

  // A sensitive action: an older sign-in gets 401 (insufficient_user_authentication) and signs in again below.
  app.post('/change-password', middleware.required({ maxAuthAge: MAX_AUTH_AGE }), (req, res) => {
    res.json({ ok: true, message: 'Password changed (a demo: nothing is stored).', signedInAt: req.tokenSession.authenticatedAt });
  });

  // "Confirm it's you": a real app checks the password here; the demo asks for the name again.
  app.post('/reauthenticate', requireSession, (req, res) => {
    if (String(req.query.user ?? '') !== req.tokenSession.data.user) return refuse(res, 403, 'That is not the name you signed in with.');
    res.json({ token: req.tokenSession.reauthenticate() }); // a new token, and a sign-in of now
  });

  app.get('/audit', requireSession, (req, res) => {
    res.json(audit.filter(({ owner }) => owner === req.tokenSession.data.user));
  });

  app.post('/logout-everywhere', requireSession, async (req, res, next) => {
    try {
      res.json({ ended: await sessions.destroyAll(req.tokenSession.data.user) });
    } catch (err) {
      next(err);
    }
  });

  // The link an email would carry: a one-time token, good once, for LINK_TTL seconds.
  app.post('/email-link', requireSession, async (req, res, next) => {
    try {
      const code = await sessions.newOnce({ user: req.tokenSession.data.user, purpose: 'verify-email' }, LINK_TTL);
      res.json({ link: `${req.protocol}://${req.get('host')}/verify?code=${encodeURIComponent(code)}`, expiresIn: LINK_TTL });
    } catch (err) {
      next(err);
    }
  });

  app.get('/verify', async (req, res, next) => {
    try {
      const claim = await sessions.consume(req.query.code); // null for a missing, malformed, spent or expired code
      res.type('html').status(claim ? 200 : 410).send(verifyPage(claim));
    } catch (err) {
      next(err);
    }
  });
}

/** "Chrome 131 on Linux", from a user agent: enough to tell one's devices apart (null without `metadata`). */
function describeDevice(userAgent) {
  if (!userAgent) return null;
  const browser = [['Edge', /Edg\/(\d+)/], ['Firefox', /Firefox\/(\d+)/], ['Chrome', /(?:Headless)?Chrome\/(\d+)/], ['Safari', /Version\/(\d+).*Safari/], ['curl', /curl\/([\d.]+)/]]
    .map(([name, pattern]) => [name, pattern.exec(userAgent)?.[1]]).find(([, version]) => version);
  const system = [['Android', /Android/], ['iOS', /iPhone|iPad/], ['Windows', /Windows/], ['macOS', /Mac OS X/], ['Linux', /Linux/]].find(([, pattern]) => pattern.test(userAgent))?.[0];
  const name = browser ? `${browser[0]} ${browser[1]}` : userAgent.slice(0, 40);
  return system ? `${name} on ${system}` : name;
}

/** A refusal in the shape of token-session's own 401 bodies: `message` is for people, and the demo page shows it. */
function refuse(res, status, message) {
  return res.status(status).json({ statusCode: status, error: STATUS_CODES[status], message });
}

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function verifyPage(claim) {
  const message = claim
    ? `<h1 id="verified">Email verified for ${escapeHtml(claim.user)}</h1><p>This link has now been used; it will not work again.</p>`
    : '<h1 id="used">This link is no longer valid</h1><p>It was already used, or it expired. Links work once.</p>';
  return `<!doctype html><meta charset="utf-8"><title>Email link</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/demo.css"><main>${message}<p><a href="/">Back to the demo</a></p></main>`;
}

/** Errors as JSON, with the status token-session gives them: 503 while the store is unavailable. */
export function jsonErrors(app) {
  app.use((err, req, res, _next) => {
    const status = err.status ?? 500;
    console.error(`${req.method} ${req.path}: ${status} ${err.message}`);
    // A client error's own message is meant to be shown (`expose`, as http-errors sets it); a server error's is not.
    const message = status === 503 ? 'The session store is not answering: try again in a moment.' : err.expose ? err.message : 'Something failed on the server.';
    refuse(res, status, message);
  });
}
