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
  const counting = <T extends object>(target: T): T => new Proxy(target, {
    get(on, name, receiver) {
      const value = Reflect.get(on, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(on, args);
        if (typeof (result as { then?: unknown } | null)?.then === 'function') {
          commands.push(String(name));
          if (!sendingThisTurn) {
            roundTrips += 1;
            sendingThisTurn = true;
            setImmediate(() => (sendingThisTurn = false));
          }
        } else if (result !== on && typeof (result as { sendCommand?: unknown } | null)?.sendCommand === 'function') {
          // The same client with other options (node-redis' withCommandOptions): its commands count too.
          return counting(result as object);
        }
        return result;
      };
    },
  });
  return { client: counting(client), roundTrips: () => roundTrips, commands: () => commands };
}
