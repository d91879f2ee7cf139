// session-memory-store ships no types. It is a factory that takes anything with a `Store`.
declare module 'session-memory-store' {
  function sessionMemoryStore(session: { Store: unknown }): new (options?: {
    expires?: number;
    checkperiod?: number;
  }) => import('./types').ExpressSessionStore;
  export = sessionMemoryStore;
}
