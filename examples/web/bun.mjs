// examples/web/app.mjs on Bun: `bun examples/web/bun.mjs` (the `bun` npm package carries the binary: `npx bun ...`).
import { usage } from '../usage.mjs';
import { app } from './app.mjs';

const server = Bun.serve({ port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1', fetch: app.fetch });
usage('Hono on Bun', server.port);
