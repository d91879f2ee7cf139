// The JSON routes shared by the demo (examples/express.mjs) and the Redis example: sign-in, a
// counter, the user's sessions on every device, "log out everywhere", and one-time email links.
// `sessions` needs `ownerKey: 'user'`.
const SHORT_TTL = Number(process.env.DEMO_SHORT_TTL ?? 20); // seconds, for "short session"
const LINK_TTL = 15 * 60;

export function addSessionRoutes(app, sessions, requireSession) {
  app.post('/login', (req, res) => {
    const user = String(req.query.user ?? 'guest').trim();
    if (user === '' || user.length > 40) return res.status(400).json({ error: 'a name of 1 to 40 characters, please' });
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
      res.json(mine.map(({ id, createdAt, expiresAt }) => ({ id, createdAt, expiresAt, current: id === current })));
    } catch (err) {
      next(err);
    }
  });

  // Ends one of this user's sessions (a public id of someone else's is "not found").
  app.post('/sessions/:id/end', requireSession, async (req, res, next) => {
    try {
      const mine = await sessions.list(req.tokenSession.data.user);
      if (!mine.some((session) => session.id === req.params.id)) return res.status(404).json({ error: 'no such session of yours' });
      res.json({ ended: await sessions.destroyById(req.params.id) });
    } catch (err) {
      next(err);
    }
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
      const code = typeof req.query.code === 'string' ? req.query.code : '';
      const claim = code ? await sessions.consume(code).catch(notValidIfMalformed) : null;
      res.type('html').status(claim ? 200 : 410).send(verifyPage(claim));
    } catch (err) {
      next(err);
    }
  });
}

// A code that is not even token-shaped is an invalid link, not a server error.
const notValidIfMalformed = (err) => {
  if (err.code === 'ERR_INVALID_TOKEN') return null;
  throw err;
};

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function verifyPage(claim) {
  const message = claim
    ? `<h1 id="verified">Email verified for ${escapeHtml(claim.user)}</h1><p>This link has now been used; it will not work again.</p>`
    : '<h1 id="used">This link is no longer valid</h1><p>It was already used, or it expired. Links work once.</p>';
  return `<!doctype html><meta charset="utf-8"><title>Email link</title><link rel="stylesheet" href="/demo.css"><main>${message}<p><a href="/">Back to the demo</a></p></main>`;
}

/** Errors as JSON, with the status token-session gives them: 503 while the store is unavailable. */
export function jsonErrors(app) {
  app.use((err, req, res, _next) => {
    const status = err.status ?? 500;
    console.error(`${req.method} ${req.path}: ${status} ${err.message}`);
    res.status(status).json({ error: status === 503 ? 'Service Unavailable' : 'Internal Server Error' });
  });
}
