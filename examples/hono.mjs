// Hono on Node, through @hono/node-server: the app of examples/web/app.mjs (which Bun, Deno and workerd run too), `node examples/hono.mjs`.
import { serve } from '@hono/node-server';
import { usage } from './usage.mjs';
import { app } from './web/app.mjs';

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' }, ({ port }) => usage('Hono', port));
