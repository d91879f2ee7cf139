// A Redis that goes away and comes back: 503s, then service again.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describeWith } from '../helpers/real-servers';
import { startDurableRedis, type RestartableRedis } from '../helpers/servers';

// examples/redis/server.mjs (on the built package) in its own process, whose redis-server is
// killed (SIGKILL) in the middle of a load and started again. Node ends a process on an
// unhandled rejection or an unhandled 'error' event, so the server still running at the end
// shows there was none.
const root = join(__dirname, '../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startApp(redisUrl: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [join(root, 'examples/redis/server.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: '0', REDIS_URL: redisUrl },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, child, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

describeWith('redis', 'a redis-server killed under load and started again', () => {
  let redis: RestartableRedis;
  let app: Awaited<ReturnType<typeof startApp>>;

  beforeAll(async () => {
    redis = await startDurableRedis();
    app = await startApp(redis.url);
  }, 20_000);
  afterAll(async () => {
    app?.child.kill();
    await redis?.stop();
  });

  test('requests fail cleanly with 503 during the outage, succeed after it, and nothing acknowledged is lost', async () => {
    const call = async (method: string, path: string, token?: string) => {
      // A request that hangs fails the test: every answer must come within the store timeout.
      const res = await fetch(app.url + path, {
        method,
        headers: token ? { 'x-session-token': token } : {},
        signal: AbortSignal.timeout(8_000),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const before = await call('POST', '/login?user=ana');
    const token = before.body['token'] as string;

    let phase: 'before' | 'outage' | 'after' = 'before';
    let running = true;
    const statuses = { before: new Set<number>(), outage: new Set<number>(), after: new Set<number>() };
    let countsAcknowledged = 0;
    const counter = (async () => {
      while (running) {
        const res = await call('POST', '/count', token);
        statuses[phase].add(res.status);
        if (res.status === 200) countsAcknowledged += 1;
      }
    })();
    const readers = Array.from({ length: 8 }, async () => {
      while (running) {
        const { status } = await call('GET', '/me', token);
        statuses[phase].add(status); // the phase the answer came in
      }
    });

    await sleep(500);
    phase = 'outage';
    await redis.kill();
    await sleep(1_000);
    await redis.restart();
    // The client reconnects with a back-off; wait until requests are answered again.
    const deadline = Date.now() + 15_000;
    while ((await call('GET', '/me', token)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`no recovery: ${app.output()}`);
      await sleep(100);
    }
    phase = 'after';
    await sleep(500);
    running = false;
    await Promise.all([counter, ...readers]);

    if (statuses.before.size !== 1) console.log(app.output());
    expect([...statuses.before]).toEqual([200]);
    expect(statuses.outage.has(503)).toBe(true);
    expect([...statuses.outage].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect([...statuses.after]).toEqual([200]);
    // The session written before the outage is there, with every count the server acknowledged.
    const me = await call('GET', '/me', token);
    expect(me.status).toBe(200);
    expect(me.body['user']).toBe('ana');
    expect(me.body['count']).toBeGreaterThanOrEqual(countsAcknowledged);
    expect(app.child.exitCode).toBeNull();
  }, 40_000);
});
