// Starts real redis-server, PostgreSQL, MariaDB and memcached processes on loopback ports.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway server on a loopback port, for the tests. */
export interface TestServer {
  url: string;
  stop(): Promise<void>;
}

/** A free loopback port (the OS picks it; the tiny race until the server binds it is acceptable here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The path of a program, or undefined: on PATH, else in the given extra directories. */
export function findProgram(name: string, extraDirs: string[] = []): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return extraDirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
  }
}

/** Debian keeps PostgreSQL's server programs out of PATH, under /usr/lib/postgresql/<version>/bin. */
function postgresBinDirs(): string[] {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return [];
  return readdirSync(base).sort().reverse().map((version) => join(base, version, 'bin'));
}

export const programs = {
  redis: () => findProgram('redis-server'),
  initdb: () => findProgram('initdb', postgresBinDirs()),
  pgCtl: () => findProgram('pg_ctl', postgresBinDirs()),
  // Debian keeps mariadbd in /usr/sbin, outside a normal user's PATH.
  mariadbd: () => findProgram('mariadbd', ['/usr/sbin']),
  mariadbInstallDb: () => findProgram('mariadb-install-db'),
  memcached: () => findProgram('memcached'),
};

const asRoot = process.getuid?.() === 0;

/** redis-server with no persistence (`--save '' --appendonly no`), on a loopback port; `args` are more options. */
export async function startRedis(args: string[] = []): Promise<TestServer> {
  const { url, stop } = await startRedisProcess(await freePort(), ['--save', '', '--appendonly', 'no', ...args]);
  return { url, stop };
}

/** A Redis Cluster on loopback: its nodes' URLs, and a way to kill one, as in a crash. */
export interface TestCluster extends TestServer {
  /** `redis://127.0.0.1:<port>` of every node, masters and replicas. */
  nodes: string[];
  /** SIGKILLs the node at that URL, by its process: no shutdown, no goodbye to the others. */
  kill(node: string): Promise<void>;
}

/**
 * A 6-node Redis Cluster (3 masters, 3 replicas) in a temporary directory, made by
 * `redis-cli --cluster create`, with a short `cluster-node-timeout` so that a replica takes
 * over from a dead master within seconds. Ready when every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<TestCluster> {
  const cli = findProgram('redis-cli');
  if (!cli) throw new Error('redis-cli is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'token-session-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < 6; i += 1) ports.push(await freePort());
  const nodes = await Promise.all(ports.map((port) => startRedisProcess(port, [
    '--dir', dir, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
    '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no',
  ])));
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync(cli, ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], { stdio: 'pipe' });
    // Ready when every node sees the cluster whole and every replica has synced with its master:
    // a replica that never synced is too stale to be elected, and a killed master would stay down.
    const ok = (port: number) => {
      const run = (...args: string[]) => execFileSync(cli, ['-p', String(port), ...args], { encoding: 'utf8' });
      const replication = run('info', 'replication');
      return run('cluster', 'info').includes('cluster_state:ok') && (replication.includes('role:master') || replication.includes('master_link_status:up'));
    };
    await waitUntil(() => ports.every(ok), 'the cluster did not reach cluster_state:ok, its replicas in sync');
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: nodes.map((node) => node.url).join(','), nodes: nodes.map((node) => node.url), stop, kill: killer(nodes) };
}

/** The name the test sentinels monitor their master by. */
export const SENTINEL_MASTER_NAME = 'token-session-test';

/** A Sentinel group on loopback: the master's name, and the sentinels to ask for it. */
export interface TestSentinels extends TestServer {
  /** The name the sentinels monitor the master by. */
  masterName: string;
  /** `redis://127.0.0.1:<port>` of each sentinel. */
  sentinels: string[];
  /** `redis://127.0.0.1:<port>` of the first master, then its replica. */
  nodes: string[];
  /** SIGKILLs the master or replica at that URL, by its process, as in a crash. */
  kill(node: string): Promise<void>;
}

/**
 * One master, one replica and three sentinels (`redis-server <conf> --sentinel`: Debian's
 * redis-server has Sentinel built in) that agree with a quorum of 2, with a short
 * `down-after-milliseconds` so that a failover takes seconds. Ready when the replica has synced
 * and every sentinel knows it and the other sentinels.
 */
export async function startRedisSentinels(): Promise<TestSentinels> {
  const cli = findProgram('redis-cli');
  if (!cli) throw new Error('redis-cli is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'token-session-sentinel-'));
  const masterName = SENTINEL_MASTER_NAME;
  const [masterPort, replicaPort] = [await freePort(), await freePort()];
  const plain = ['--dir', dir, '--save', '', '--appendonly', 'no'];
  const processes = [await startRedisProcess(masterPort, plain)];
  const stop = async () => {
    await Promise.all(processes.map((child) => child.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    processes.push(await startRedisProcess(replicaPort, [...plain, '--replicaof', '127.0.0.1', String(masterPort)]));
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    for (const port of sentinelPorts) {
      // A sentinel rewrites its own configuration file, so each has one.
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(conf, [
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        '',
      ].join('\n'));
      processes.push(await startRedisProcess(port, ['--dir', dir], [conf, '--sentinel'], /Sentinel ID is|monitor master/));
    }
    const ask = (port: number, ...args: string[]) => execFileSync(cli, ['-p', String(port), ...args], { encoding: 'utf8' });
    // As on the cluster: a replica that never synced with its master is not promoted; and a
    // failover needs a majority of sentinels that know each other.
    const othersKnown = (port: number) => /num-other-sentinels\n(\d+)/.exec(ask(port, 'sentinel', 'master', masterName))?.[1] === String(sentinelPorts.length - 1);
    const ready = () => ask(replicaPort, 'info', 'replication').includes('master_link_status:up')
      && sentinelPorts.every((port) => ask(port, 'sentinel', 'replicas', masterName).includes(String(replicaPort)) && othersKnown(port));
    await waitUntil(ready, 'the replica did not sync, or the sentinels did not find it and each other');
    const sentinels = sentinelPorts.map((port) => `redis://127.0.0.1:${port}`);
    const [master, replica] = processes as [RedisProcess, RedisProcess];
    return { url: sentinels.join(','), masterName, sentinels, nodes: [master.url, replica.url], stop, kill: killer([master, replica]) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A redis-server that can be killed and started again on the same port and data. */
export interface RestartableRedis extends TestServer {
  /** SIGKILL: no shutdown save, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port; it reloads what it had acknowledged. */
  restart(): Promise<void>;
}

/**
 * redis-server with its append-only file fsynced on every write, in a temporary directory: a
 * write it acknowledged survives a SIGKILL, as on a production server configured for it.
 */
export async function startDurableRedis(): Promise<RestartableRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'token-session-redis-'));
  const port = await freePort();
  const args = ['--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
  let current = await startRedisProcess(port, args);
  return {
    url: current.url,
    kill: () => stopChild(current.child, 'SIGKILL'),
    restart: async () => {
      current = await startRedisProcess(port, args);
    },
    stop: async () => {
      await current.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type RedisProcess = TestServer & { child: ChildProcess };

/** Polls `ready` every 100 ms; fails with `problem` after 20 s. */
async function waitUntil(ready: () => boolean, problem: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${problem} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGKILL for the one of these processes at a URL. */
function killer(processes: RedisProcess[]): (node: string) => Promise<void> {
  return (node) => {
    const found = processes.find((process) => process.url === node);
    if (!found) throw new Error(`no redis-server of this group at ${node}`);
    return stopChild(found.child, 'SIGKILL');
  };
}

/** redis-server on `port`; `before` goes ahead of the options (a configuration file, `--sentinel`). */
async function startRedisProcess(port: number, args: string[], before: string[] = [], ready = /Ready to accept connections/): Promise<RedisProcess> {
  const program = programs.redis();
  if (!program) throw new Error('redis-server is not installed');
  const child = spawn(program, [...before, '--port', String(port), '--bind', '127.0.0.1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, ready, 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, child, stop: () => stopChild(child) };
}

/**
 * A PostgreSQL cluster made by initdb in a temporary directory and started by pg_ctl. initdb
 * refuses to run as root, so as root both run as the `postgres` user.
 */
export async function startPostgres(): Promise<TestServer> {
  const initdb = programs.initdb();
  const pgCtl = programs.pgCtl();
  if (!initdb || !pgCtl) throw new Error('PostgreSQL server programs (initdb, pg_ctl) are not installed');
  const dir = mkdtempSync(join(tmpdir(), 'token-session-pg-'));
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const run = (program: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : program, asRoot ? ['-u', 'postgres', '--', program, ...args] : args, {
      stdio: 'pipe',
      cwd: dir,
    });
  const data = join(dir, 'data');
  const port = await freePort();
  run(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-locale', '-E', 'UTF8']);
  run(pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -h 127.0.0.1 -k ${dir} -F`, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      try {
        run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A MariaDB server with a fresh data directory in a temporary directory, root without a
 * password, on a loopback port. mariadbd refuses to run as root unless told to.
 */
export async function startMariaDb(): Promise<TestServer> {
  const mariadbd = programs.mariadbd();
  const installDb = programs.mariadbInstallDb();
  if (!mariadbd || !installDb) throw new Error('MariaDB server programs (mariadbd, mariadb-install-db) are not installed');
  const dir = mkdtempSync(join(tmpdir(), 'token-session-mariadb-'));
  const data = join(dir, 'data');
  const user = asRoot ? ['--user=root'] : [];
  execFileSync(installDb, ['--no-defaults', `--datadir=${data}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'pipe' });
  const port = await freePort();
  const child = spawn(
    mariadbd,
    ['--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${join(dir, 'socket')}`, ...user, '--innodb-buffer-pool-size=32M'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForOutput(child, /ready for connections/, 'mariadbd');
  return {
    url: `mysql://root@127.0.0.1:${port}/mysql`,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** memcached on a loopback port (TCP only); as root it must be told which user to run as. */
export async function startMemcached(): Promise<TestServer> {
  const program = programs.memcached();
  if (!program) throw new Error('memcached is not installed');
  const port = await freePort();
  const child = spawn(program, ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '64', ...(asRoot ? ['-u', 'root'] : [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // It prints nothing when it is ready: ready is when it accepts a connection.
  await waitForPort(child, port, 'memcached');
  return { url: `127.0.0.1:${port}`, stop: () => stopChild(child) };
}

function postgresUser(): { uid: number; gid: number } {
  const [uid, gid] = execFileSync('sh', ['-c', 'id -u postgres; id -g postgres'], { encoding: 'utf8' }).trim().split('\n');
  return { uid: Number(uid), gid: Number(gid) };
}

function waitForOutput(child: ChildProcess, ready: RegExp, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${output}`));
    });
  });
}

function waitForPort(child: ChildProcess, port: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const onExit = (code: number | null) => reject(new Error(`${name} exited with ${code}: ${errors}`));
    child.once('exit', onExit);
    const deadline = Date.now() + 10_000;
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        child.off('exit', onExit);
        resolve();
      });
      socket.once('error', () => {
        if (Date.now() > deadline) reject(new Error(`${name} did not accept connections on port ${port}: ${errors}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
