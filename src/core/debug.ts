// `NODE_DEBUG=token-session` messages on stderr, as node:util's debuglog writes them, without importing node:util: the web path imports nothing from `node:`.
const env = (globalThis as { process?: { env?: Record<string, string | undefined>; pid?: number } }).process;
const enabled = /(^|[\s,])token-session($|[\s,])/i.test(env?.env?.['NODE_DEBUG'] ?? '');

/** Logs a message (`console.error`'s format: `%s`, `%o`) when NODE_DEBUG names token-session; otherwise does nothing. */
export const debug: (format: string, ...args: unknown[]) => void = enabled
  ? (format, ...args) => console.error(`TOKEN-SESSION ${env?.pid ?? ''}: ${format}`, ...args)
  : () => undefined;
