// Hapi: the same API as examples/express.mjs.
import Hapi from '@hapi/hapi';
import { hapiTokenSession } from 'token-session/hapi';
import { usage } from './usage.mjs';

const server = Hapi.server({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
await server.register({ plugin: hapiTokenSession, options: { ttl: 30 * 60 } });
const required = { plugins: { 'token-session': { required: true } } };

server.route([
  {
    method: 'POST',
    path: '/login',
    handler: (request) => ({ token: request.tokenSession.create({ user: String(request.query.user ?? 'guest'), count: 0 }) }),
  },
  { method: 'GET', path: '/me', options: required, handler: (request) => request.tokenSession.data },
  { method: 'POST', path: '/count', options: required, handler: (request) => ({ count: (request.tokenSession.data.count += 1) }) },
  {
    method: 'POST',
    path: '/logout',
    options: required,
    handler: (request) => {
      request.tokenSession.destroy();
      return { ok: true };
    },
  },
]);

await server.start();
usage('Hapi', server.info.port);
