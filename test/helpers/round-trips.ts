// Counts a Redis client's round trips: the times its user waits for Redis, however many commands it sends at once.
/**
 * `client`, with every command call seen. A round trip begins with a command sent while none
 * was being sent in this turn of the event loop; commands sent in the same turn travel together
 * (node-redis writes them in one go, ioredis one after the other without waiting) and count once.
 */
export function countingRoundTrips<C extends object>(client: C): { client: C; roundTrips(): number; commands(): string[] } {
  let roundTrips = 0;
  let sendingThisTurn = false;
  const commands: string[] = [];
  const counted = new Proxy(client, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (typeof (result as { then?: unknown } | null)?.then === 'function') {
          commands.push(String(name));
          if (!sendingThisTurn) {
            roundTrips += 1;
            sendingThisTurn = true;
            setImmediate(() => (sendingThisTurn = false));
          }
        }
        return result;
      };
    },
  });
  return { client: counted, roundTrips: () => roundTrips, commands: () => commands };
}
