// The owner/claim index contract, and memoryIndex(), its in-process default.
/**
 * Where owner sets ("log out everywhere") and one-time claims live. The default keeps them in
 * this process, which is correct for one process; `redisIndex(client)` shares them, and makes
 * claims atomic, across processes.
 */
export interface SessionIndex {
  /** Records that session `id` (stored under `key`) belongs to `owner`, until `expiresAt` (epoch ms). */
  add(owner: string, id: string, key: string, expiresAt: number): Promise<void>;
  /** Forgets session `id`. */
  remove(id: string): Promise<void>;
  /** The indexed sessions of `owner` that have not expired. */
  owned(owner: string): Promise<IndexEntry[]>;
  /** The store key of session `id`, or `null`. */
  keyOf(id: string): Promise<string | null>;
  /** `true` for the first claim of `name`, `false` for every later one until `expiresAt` (epoch ms). */
  claim(name: string, expiresAt: number): Promise<boolean>;
}

export interface IndexEntry {
  id: string;
  key: string;
}

interface Entry {
  owner: string;
  key: string;
  expiresAt: number;
}

/** Indexes made by `memoryIndex`: Maps in this process, which neither fail nor wait. */
const inProcess = new WeakSet<SessionIndex>();

export function isInProcessIndex(index: SessionIndex): boolean {
  return inProcess.has(index);
}

/** The default index: Maps in this process. Expired entries are swept as the maps grow. */
export function memoryIndex(): SessionIndex {
  const owners = new Map<string, Set<string>>();
  const entries = new Map<string, Entry>();
  const claims = new Map<string, number>();
  const sweeper = sweepWhenGrown(() => {
    const now = Date.now();
    for (const [id, entry] of entries) if (entry.expiresAt <= now) forget(id);
    for (const [name, until] of claims) if (until <= now) claims.delete(name);
    return entries.size + claims.size;
  });

  function forget(id: string): void {
    const entry = entries.get(id);
    if (!entry) return;
    entries.delete(id);
    const ids = owners.get(entry.owner);
    ids?.delete(id);
    if (ids?.size === 0) owners.delete(entry.owner);
  }

  const index: SessionIndex = {
    async add(owner, id, key, expiresAt) {
      if (entries.get(id)?.owner !== owner) forget(id);
      entries.set(id, { owner, key, expiresAt });
      let ids = owners.get(owner);
      if (!ids) owners.set(owner, (ids = new Set()));
      ids.add(id);
      sweeper(entries.size + claims.size);
    },
    async remove(id) {
      forget(id);
    },
    async owned(owner) {
      const now = Date.now();
      const live: IndexEntry[] = [];
      for (const id of owners.get(owner) ?? []) {
        const entry = entries.get(id)!;
        if (entry.expiresAt > now) live.push({ id, key: entry.key });
        else forget(id);
      }
      return live;
    },
    async keyOf(id) {
      const entry = entries.get(id);
      return entry && entry.expiresAt > Date.now() ? entry.key : null;
    },
    async claim(name, expiresAt) {
      const until = claims.get(name);
      if (until !== undefined && until > Date.now()) return false;
      claims.set(name, expiresAt);
      sweeper(entries.size + claims.size);
      return true;
    },
  };
  inProcess.add(index);
  return index;
}

/**
 * Runs `sweep` whenever the size has doubled since the last sweep: amortised O(1) per
 * insert, and memory stays within twice the live entries.
 */
function sweepWhenGrown(sweep: () => number): (size: number) => void {
  let threshold = 1024;
  return (size) => {
    if (size < threshold) return;
    threshold = Math.max(1024, sweep() * 2);
  };
}
