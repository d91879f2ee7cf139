// `npm run bench:profile -- <variant> <read|write> [redis|pg]`: one bench/store-server.mjs variant on a real redis-server or
// PostgreSQL, under 6 s of load with V8's CPU profiler on; prints where the server's CPU went, by package (self time), token-session's
// own included (and, with PROFILE_FUNCTIONS=n, the n hottest functions).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { credentials } from './credentials.mjs';
import { bundleTestHelpers, makePgTables, startBenchServer } from './helpers.mjs';

const [variant = 'ts-own-express', path = 'write', backend = 'redis'] = process.argv.slice(2);
const helpers = await bundleTestHelpers();
const { startRedis, startPostgres } = await import(helpers);
const server = backend === 'pg' ? await startPostgres() : await startRedis();
if (backend === 'pg') await makePgTables(server.url, 'profile');
const dir = mkdtempSync(join(tmpdir(), 'token-session-profile-'));
const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, fileURLToPath(new URL('./store-server.mjs', import.meta.url)), backend, variant];
const env = { ...process.env, HELPERS: helpers, ...(backend === 'pg' ? { PG_URL: server.url, PG_TABLE: 'profile' } : { REDIS_URL: server.url }) };
const app = await startBenchServer(args, `${backend}/${variant}`, env);
const headers = await credentials(app.port, variant.startsWith('bare') ? 'bare' : variant);
await autocannon({ url: `http://127.0.0.1:${app.port}/${path}`, headers, connections: 20, duration: 6 });
await app.finish(); // V8 writes the profile as the server exits
await server.stop();

const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'));
const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
const byPackage = new Map();
let busy = 0;
profile.samples.forEach((id, i) => {
  const { url, functionName } = frames.get(id);
  if (functionName === '(idle)') return;
  const ms = (profile.timeDeltas[i] ?? 0) / 1000;
  busy += ms;
  const name = url.includes('/node_modules/') ? url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
    : url.includes('/dist/') ? 'token-session' : url.startsWith('node:') ? 'node' : functionName;
  byPackage.set(name, (byPackage.get(name) ?? 0) + ms);
});
console.log(`${backend}/${variant}/${path}: share of the server's busy CPU (self time)`);
for (const [name, ms] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${(100 * ms / busy).toFixed(1).padStart(5)}%  ${name}`);
if (process.env.PROFILE_FUNCTIONS) {
  // The hottest functions themselves, for finding what to make cheaper.
  const byFunction = new Map();
  profile.samples.forEach((id, i) => {
    const { url, functionName, lineNumber } = frames.get(id);
    if (functionName === '(idle)') return;
    const name = `${functionName || '(anonymous)'} ${url.replace(/.*\/node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  console.log('hottest functions (self time):');
  for (const [name, ms] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_FUNCTIONS) || 40)) console.log(`${(100 * ms / busy).toFixed(1).padStart(5)}%  ${name}`);
}
