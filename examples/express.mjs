// Express: login creates a session, /count changes it, /logout destroys it.
// `npm start` runs this file on the default in-memory store.
import express from 'express';
import { expressTokenSession } from 'token-session/express';
import { invalidTokenLimit } from './invalid-token-limit.mjs';
import { usage } from './usage.mjs';

const app = express();
// 20 requests with a bad token per minute and address, then 429 (README, "Brute force").
const guard = invalidTokenLimit({ limit: Number(process.env.INVALID_TOKEN_LIMIT ?? 20) });
const sessions = expressTokenSession({ ttl: 30 * 60, onInvalidToken: guard.onInvalidToken });
app.use(guard.middleware);
app.use(sessions);

app.post('/login', (req, res) => {
  const user = String(req.query.user ?? 'guest');
  const token = req.tokenSession.create({ user, count: 0 }); // also sent in the x-session-token header
  res.json({ token });
});

app.get('/me', sessions.requireSession, (req, res) => res.json(req.tokenSession.data));

app.post('/count', sessions.requireSession, (req, res) => {
  req.tokenSession.data.count += 1; // written before the response leaves
  res.json({ count: req.tokenSession.data.count });
});

app.post('/logout', sessions.requireSession, (req, res) => {
  req.tokenSession.destroy();
  res.json({ ok: true });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => usage('Express', server.address().port));
