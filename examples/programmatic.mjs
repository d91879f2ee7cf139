// The programmatic API end to end, on the default in-memory store.
// Run it with `npm start` (which builds first), or `node examples/programmatic.mjs` after a build.
import { TokenSession, TokenSessionError } from 'token-session';

const sessions = new TokenSession({ ttl: 60 * 30, absoluteTtl: 60 * 60 * 8 });
const step = (what, value) => console.log(`${what.padEnd(44)} ${JSON.stringify(value)}`);

// Login: the client gets a token and sends it back in a header on every request.
const { sid } = await sessions.new({ userId: 'u-42', role: 'reader', count: 0 });
step('new({ userId, role, count }) -> token', sid);

// A request reads the session...
const data = await sessions.get(sid);
step('get(token)', data);

// ...and another changes it.
await sessions.set(sid, { ...data, count: data.count + 1 });
step('set(token, { count: 1 }), then get(token)', await sessions.get(sid));

// A short-lived session, e.g. for a password-reset link: 2 seconds here.
const reset = await sessions.newWttl({ purpose: 'password-reset', userId: 'u-42' }, 2);
step('newWttl({ purpose }, 2 s) -> token', reset.sid);
await new Promise((resolve) => setTimeout(resolve, 2100));
step('get(that token) 2.1 s later', await sessions.get(reset.sid));

// Privilege change: new token, same data; the old token stops working at once.
const promoted = await sessions.regenerate(sid);
step('regenerate(token) -> new token', promoted);
step('get(old token)', await sessions.get(sid));

// Never an upsert under a client-chosen id.
try {
  await sessions.set('a-token-we-never-issued', { role: 'admin' });
} catch (err) {
  step('set(unknown token)', err instanceof TokenSessionError ? err.code : String(err));
}

// Callbacks work too, for code written against the seed API.
sessions.destroy(promoted, (err, removed) => {
  step('destroy(new token, callback)', err ? err.code : removed);
  sessions.get(promoted).then((after) => step('get(new token) after destroy', after));
});
