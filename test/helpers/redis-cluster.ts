// What the test Redis Cluster says of itself: which master serves a key.
import { createClient } from 'redis';

/** `{ host, port }` of a `redis://host:port` URL, as ioredis and Sentinel clients take them. */
export const hostAndPort = (url: string) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) });

/** The master (`redis://host:port`) that serves each key, asked of `node` (`CLUSTER KEYSLOT`, `CLUSTER SLOTS`). */
export async function mastersOf(node: string, keys: string[]): Promise<string[]> {
  const client = createClient({ url: node });
  await client.connect();
  try {
    const ranges = (await client.sendCommand(['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number]]>;
    return await Promise.all(keys.map(async (key) => {
      const slot = Number(await client.sendCommand(['CLUSTER', 'KEYSLOT', key]));
      const [, , [host, port]] = ranges.find(([start, end]) => slot >= start && slot <= end)!;
      return `redis://${host}:${port}`;
    }));
  } finally {
    client.destroy();
  }
}
