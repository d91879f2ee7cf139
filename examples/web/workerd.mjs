// Runs examples/web/worker.mjs on Cloudflare's workerd, as wrangler would: bundled by esbuild for the worker conditions, served by miniflare on loopback.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { usage } from '../usage.mjs';

const { outputFiles } = await build({
  entryPoints: [fileURLToPath(new URL('./worker.mjs', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  write: false,
  logLevel: 'error',
});
// No nodejs_compat flag: the web path needs none of Node's built-ins.
const mf = new Miniflare({ modules: true, script: outputFiles[0].text, compatibilityDate: '2026-04-01', host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
const url = await mf.ready;
usage('Hono on workerd', url.port);
process.on('SIGTERM', () => mf.dispose().then(() => process.exit(0)));
