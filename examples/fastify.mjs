// Fastify: the same API as examples/express.mjs.
import Fastify from 'fastify';
import { tokenSessionPlugin } from 'token-session/fastify';
import { usage } from './usage.mjs';

const app = Fastify();
await app.register(tokenSessionPlugin, { ttl: 30 * 60 });
const required = { config: { tokenSession: { required: true } } };

app.post('/login', async (request) => ({
  token: request.tokenSession.create({ user: String(request.query.user ?? 'guest'), count: 0 }),
}));
app.get('/me', required, async (request) => request.tokenSession.data);
app.post('/count', required, async (request) => ({ count: (request.tokenSession.data.count += 1) }));
app.post('/logout', required, async (request) => {
  request.tokenSession.destroy();
  return { ok: true };
});

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
usage('Fastify', app.server.address().port);
