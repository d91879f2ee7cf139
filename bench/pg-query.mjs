// `node bench/pg-query.mjs`: CPU of one pool.query of pgStore's read, in a loop on a PostgreSQL started for the run,
// with the query object as pgStore makes it (its statement on the prototype, the values its only own property)
// against a plain object (pg copies a query's own properties, descriptor by descriptor, on every call), and
// against an unnamed statement, which PostgreSQL parses again on every call.
import pg from 'pg';
import { bundleTestHelpers } from './helpers.mjs';

const { startPostgres } = await import(await bundleTestHelpers());
const server = await startPostgres();
const pool = new pg.Pool({ connectionString: server.url, max: 10 });
await pool.query('CREATE TABLE t (sid text PRIMARY KEY, sess jsonb NOT NULL, expire timestamptz NOT NULL)');
await pool.query(`INSERT INTO t VALUES ('k', '{"data":{"count":1}}', now() + interval '1 hour')`);
const statement = Object.freeze({ name: 'read', text: 'SELECT sess FROM t WHERE sid = $1 AND expire > now()' });
const shapes = {
  'statement on the prototype': () => Object.assign(Object.create(statement), { values: ['k'] }),
  'plain object': () => ({ name: statement.name, text: statement.text, values: ['k'] }),
  'unnamed statement': () => ({ text: statement.text, values: ['k'] }),
};

/** µs of this process's CPU per query, `inFlight` queries at a time. */
async function cpuPerQuery(make, inFlight, queries = 20_000) {
  let sent = 0;
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (sent++ < queries) await pool.query(make());
  }));
  const { user, system } = process.cpuUsage(before);
  return (user + system) / queries;
}

for (let round = 0; round < 3; round += 1) {
  for (const inFlight of [1, 20]) {
    for (const [name, make] of Object.entries(shapes)) {
      await cpuPerQuery(make, inFlight, 5000); // warm-up
      console.log(`round ${round + 1}, ${inFlight} in flight, ${name}: ${(await cpuPerQuery(make, inFlight)).toFixed(1)} µs CPU/query`);
    }
  }
}
await pool.end();
await server.stop();
