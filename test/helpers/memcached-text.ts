// memcached's own text protocol, so that tests see what the server holds without going through the store under test.
import { connect } from 'node:net';

/**
 * Sends one command to memcached at `hostPort` and answers its reply, complete when it ends
 * in `terminator`. A meta command is followed by a meta no-op (`mn`, answered `MN`), which
 * ends its reply whatever it was; `lru_crawler metadump` cannot be followed by anything, and ends in `END`.
 */
function memcachedText(hostPort: string, command: string, terminator = 'MN\r\n'): Promise<string> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host!);
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.endsWith(terminator)) {
        socket.end();
        resolve(reply.slice(0, -terminator.length));
      }
    });
    socket.once('error', reject);
    socket.write(terminator === 'MN\r\n' ? `${command}\r\nmn\r\n` : `${command}\r\n`);
  });
}

/** Seconds memcached will keep `key`: `Infinity` when it never expires it, `null` when it holds no such key. */
export async function memcachedTtl(hostPort: string, key: string): Promise<number | null> {
  const reply = await memcachedText(hostPort, `mg ${key} t`);
  if (reply.startsWith('EN')) return null;
  const ttl = Number(/ t(-?\d+)/.exec(reply)![1]);
  return ttl === -1 ? Infinity : ttl;
}

/**
 * Every key memcached holds that starts with `prefix`, and its value. The listing is the LRU
 * crawler's, which can miss an item that memcached's LRU maintainer moves between its queues
 * while the crawl passes (it did once in CI): three crawls, and the keys any of them saw.
 */
export async function memcachedEntries(hostPort: string, prefix: string): Promise<Array<[string, string]>> {
  const keys = new Set<string>();
  for (let crawl = 0; crawl < 3; crawl += 1) {
    const listing = await memcachedText(hostPort, 'lru_crawler metadump all', 'END\r\n');
    for (const match of listing.matchAll(/^key=(\S+)/gm)) keys.add(decodeURIComponent(match[1]!));
  }
  const ours = [...keys].filter((key) => key.startsWith(prefix));
  const entries = await Promise.all(ours.map(async (key) => [key, await memcachedText(hostPort, `mg ${key} v`)] as [string, string]));
  return entries.filter(([, reply]) => !reply.startsWith('EN')); // seen by a crawl, gone since
}
