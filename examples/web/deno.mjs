// examples/web/app.mjs on Deno: `deno run --allow-net=127.0.0.1 --allow-read --allow-env examples/web/deno.mjs` (the `deno` npm package carries the binary).
import { usage } from '../usage.mjs';
import { app } from './app.mjs';

Deno.serve({ port: Number(Deno.env.get('PORT') ?? 3000), hostname: '127.0.0.1', onListen: ({ port }) => usage('Hono on Deno', port) }, app.fetch);
