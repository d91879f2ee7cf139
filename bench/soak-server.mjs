// The soak run's server (bench/soak.mjs): the Express benchmark app on token-session with a short
// TTL, in its own process so its heap is measured alone. Answers 'memory' over IPC after a full GC.
import { TokenSession } from 'token-session';
import { startApp } from './apps.mjs';

const sessions = new TokenSession({ ttl: Number(process.argv[2]) });
const port = await startApp('express', 'ts-write', sessions);
process.send({ port });
process.on('message', (message) => {
  if (message !== 'memory') return;
  globalThis.gc();
  globalThis.gc();
  const cache = sessions.store.store; // session-memory-store's node-cache
  process.send({ heapUsed: process.memoryUsage().heapUsed, sessionsHeld: cache.keys().length });
});
process.on('disconnect', () => process.exit(0));
