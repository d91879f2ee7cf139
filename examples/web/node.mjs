// examples/web/app.mjs on Node, through @hono/node-server: `node examples/web/node.mjs`.
import { serve } from '@hono/node-server';
import { usage } from '../usage.mjs';
import { app } from './app.mjs';

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' }, ({ port }) => usage('Hono', port));
