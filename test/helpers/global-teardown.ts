// Stops the shared servers.
import type { TestServer } from './servers';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { testServers?: TestServer[] }).testServers ?? [];
  await Promise.all(servers.map((server) => server.stop()));
}
