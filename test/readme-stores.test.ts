// The README's store set-ups, as written there, run on the built package: its own stores and connect-redis on the test redis-server and PostgreSQL, and "Many machines" on the test cluster and Sentinel group (only the addresses swapped).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWith, postgresUrl, redisClusterNodes, redisSentinels, redisUrl, SENTINEL_MASTER_NAME } from './helpers/real-servers';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocksBetween = (start: string, end: string) => [...readme.slice(readme.indexOf(start), readme.indexOf(end)).matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);
const [nodeCluster, nodeSentinel, ioCluster, ioSentinel] = blocksBetween('## Many machines', '### When a master dies');
const [ownRedis, ownPg] = blocksBetween("### token-session's own stores", '### Compatibility');
const [connectRedis] = blocksBetween('### When to move from the memory store', '### Tests that need servers');

/** The README's example addresses, swapped for the test servers'. */
function onTestServers(code: string): string {
  const [first, second] = redisClusterNodes.map((url) => new URL(url).port);
  const [sentinel1, sentinel2] = redisSentinels.map((url) => new URL(url).port);
  return code
    .replace('redis://10.0.0.1:6379', `redis://127.0.0.1:${first}`).replace('redis://10.0.0.2:6379', `redis://127.0.0.1:${second}`)
    .replace("{ host: '10.0.0.1', port: 6379 }", `{ host: '127.0.0.1', port: ${first} }`).replace("{ host: '10.0.0.2', port: 6379 }", `{ host: '127.0.0.1', port: ${second} }`)
    .replace("{ host: '10.0.0.1', port: 26379 }", `{ host: '127.0.0.1', port: ${sentinel1} }`).replace("{ host: '10.0.0.2', port: 26379 }", `{ host: '127.0.0.1', port: ${sentinel2} }`)
    .replaceAll("'mymaster'", `'${SENTINEL_MASTER_NAME}'`)
    // connect-redis 7 is installed here under an alias.
    .replace("import RedisStore from 'connect-redis';", "import RedisStore from 'connect-redis7';");
}

/** The cluster block with its client made the Sentinel block's way: the README says only the client changes. */
function withClientOf(program: string, sentinelBlock: string): string {
  const imports = sentinelBlock.match(/^import .*\n/gm)!.join('');
  const client = sentinelBlock.replace(/^import .*\n/gm, '').trim();
  const clusterClient = program.includes('new Cluster(') ? /const client = new Cluster\(.*\n/ : /const client = createCluster\([\s\S]*?\n\}\);\n/;
  expect(program).toMatch(clusterClient);
  return imports + program.replace(clusterClient, `${client}\n`);
}

/** The environment the blocks read their servers from. */
const env = () => ({ ...process.env, REDIS_URL: redisUrl, DATABASE_URL: postgresUrl });

async function run(program: string): Promise<string> {
  // In the repository, so that `token-session` resolves to the built package.
  const file = join(root, `.readme-block-${randomUUID()}.mjs`);
  const owner = `readme-${randomUUID()}`;
  writeFileSync(file, `${onTestServers(program)}
const { sid } = await sessions.new({ userId: '${owner}', n: 1 });
const listed = (await sessions.list('${owner}')).length;
console.log(JSON.stringify({ read: await sessions.get(sid), listed, ended: await sessions.destroyAll('${owner}'), after: await sessions.get(sid) }));
process.exit(0);
`);
  try {
    return (await promisify(execFile)(process.execPath, [file], { cwd: root, timeout: 15_000, env: env() })).stdout;
  } finally {
    rmSync(file);
  }
}

const works = { read: { userId: expect.stringMatching(/^readme-/), n: 1 }, listed: 1, ended: 1, after: null };

describeWith('redis', "the README's redisStore set-up", () => {
  test('redisStore and redisIndex on node-redis', async () => {
    expect(JSON.parse(await run(ownRedis!))).toEqual(works);
  });
  test('"When to move from the memory store": connect-redis 9 and redisIndex on node-redis', async () => {
    expect(JSON.parse(await run(connectRedis!))).toEqual(works);
  });
});

describeWith('postgres', "the README's pgStore set-up", () => {
  test('pgStore on a pg Pool, its own index', async () => {
    expect(JSON.parse(await run(ownPg!))).toEqual(works);
  });
});

describeWith('redis-cluster', 'the README\'s cluster set-ups', () => {
  test('node-redis createCluster with connect-redis 9', async () => {
    expect(JSON.parse(await run(nodeCluster!))).toEqual(works);
  });
  test('ioredis Cluster with connect-redis 7', async () => {
    expect(JSON.parse(await run(ioCluster!))).toEqual(works);
  });
});

describeWith('redis-sentinel', 'the README\'s Sentinel set-ups', () => {
  test('node-redis createSentinel with connect-redis 9', async () => {
    expect(JSON.parse(await run(withClientOf(nodeCluster!, nodeSentinel!)))).toEqual(works);
  });
  test('ioredis with sentinels, with connect-redis 7', async () => {
    expect(JSON.parse(await run(withClientOf(ioCluster!, ioSentinel!)))).toEqual(works);
  });
});
