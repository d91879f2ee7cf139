// examples/web/app.mjs as a Cloudflare Worker: bundle it (esbuild or wrangler) and run it on workerd; `node examples/web/workerd.mjs` does both, with miniflare.
import { app } from './app.mjs';

export default app;
