// Express: the demo behind `npm start` (default in-memory store). The page at / (examples/public,
// plain HTML and JS) signs in, counts, lists the user's devices, ends them, changes a password
// after a fresh sign-in, shows an audit log and sends a one-time link, all with the token in a
// header and no cookie. The JSON routes work with curl as well.
import { fileURLToPath } from 'node:url';
import express from 'express';
import { TokenSession } from 'token-session';
import { expressTokenSession } from 'token-session/express';
import { invalidTokenLimit } from './invalid-token-limit.mjs';
import { addSessionRoutes, jsonErrors } from './session-routes.mjs';
import { usage } from './usage.mjs';

// metadata: each device's browser and last request, for the list of sessions.
const sessions = new TokenSession({ ttl: 30 * 60, ownerKey: 'user', metadata: true });
// 20 requests with a bad token per minute and address, then 429 (README, "Brute force").
const guard = invalidTokenLimit({ limit: Number(process.env.INVALID_TOKEN_LIMIT ?? 20) });
const middleware = expressTokenSession({ sessions, onInvalidToken: guard.onInvalidToken });

const app = express();
app.use(express.static(fileURLToPath(new URL('./public', import.meta.url))));
app.use(guard.middleware);
app.use(middleware);

addSessionRoutes(app, sessions, middleware);
jsonErrors(app);

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => usage('Express', server.address().port, { page: true }));
