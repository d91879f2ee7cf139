// What the benchmark scripts share: servers pinned to core 0 and the load generator to core 1, the PostgreSQL variants' tables, and the test suite's TypeScript helpers (real servers, the round-trip counter), bundled by esbuild.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import pg from 'pg';
import { pgStoreSchema } from 'token-session/pg';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The URL of a module with the named test helpers, compiled into a temporary directory. */
export async function bundleTestHelpers() {
  const dir = mkdtempSync(join(tmpdir(), 'token-session-bench-'));
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, [
    `export { startRedis, startPostgres } from ${JSON.stringify(join(root, 'test/helpers/servers.ts'))};`,
    `export { countingRoundTrips } from ${JSON.stringify(join(root, 'test/helpers/round-trips.ts'))};`,
  ].join('\n'));
  const outfile = join(dir, 'helpers.mjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
  return pathToFileURL(outfile).href;
}

/** Whether servers can be pinned to core 0 (taskset, and a second core for the load generator). */
export const canPin = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return cpus().length >= 2;
  } catch {
    return false;
  }
})();

/**
 * A benchmark server script in its own process, pinned to core 0 where it can be: resolves once
 * it reports its `{ port }` over IPC; `ask()` sends 'stats' and resolves with its answer. `args` may start with Node's own flags.
 */
export function startBenchServer(args, name, env = process.env) {
  const options = { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env };
  const child = canPin ? spawn('taskset', ['-c', '0', process.execPath, ...args], options) : spawn(process.execPath, args, options);
  const ask = () => new Promise((resolve) => {
    child.once('message', resolve);
    child.send('stats');
  });
  return new Promise((resolve, reject) => {
    // `finish()`: the server exits on its own (store-server.mjs does on disconnect), writing what it must, such as a CPU profile.
    const finish = () => new Promise((exited) => {
      child.once('exit', exited);
      child.disconnect();
    });
    child.once('message', ({ port }) => resolve({ port, ask, stop: () => child.kill(), finish }));
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
}

/**
 * Runs the calling script again pinned to core 1 (it, its load generator and the stores it starts),
 * away from the servers on core 0, and exits with its status; returns in that run, or where nothing can be pinned.
 */
export function runOnLoadCore() {
  if (!canPin || process.env.TOKEN_SESSION_BENCH_ON_LOAD_CORE) return;
  const run = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, TOKEN_SESSION_BENCH_ON_LOAD_CORE: '1' },
  });
  process.exit(run.status ?? 1);
}

/** The tables of bench/store-server.mjs's PostgreSQL variants on `url`: `<table>_own` (pgStore's), `<table>_generic` (connect-pg-simple's). */
export async function makePgTables(url, table) {
  const pool = new pg.Pool({ connectionString: url });
  await pool.query(pgStoreSchema(`${table}_own`));
  const genericSql = readFileSync(join(root, 'node_modules/connect-pg-simple/table.sql'), 'utf8');
  await pool.query(genericSql.replaceAll('"session', `"${table}_generic`).replace('"IDX_session_expire"', `"${table}_generic_expire"`));
  await pool.end();
}
