// The `token-session` entry: the user API, and nothing internal (adapter and store authors: `token-session/adapter`).
import { TokenSession, type NewSession, type SessionInfo } from './core/token-session';
import type { TokenSessionOptions } from './core/options';
import type { Callback } from './core/callback';
import type { GenId } from './core/tokens';
import { TokenSessionError, isTokenSessionError, type TokenSessionErrorCode } from './errors';
import { Store, type Store as BaseStore } from './store/base-store';
import type { HackTtl } from './store/memory';
import type { SessionRecord } from './store/record';
import { memoryIndex, type SessionIndex, type IndexEntry } from './store/session-index';
import { redisIndex, type RedisIndexClient, type RedisIndexOptions } from './store/redis-index';
import type { ExpressSessionStore, StoreCallback } from './store/types';
import type { TokenSessionHandle, TokenStatus } from './http/request-session';
import type { HttpOptions, MiddlewareOptions, InvalidTokenEvent } from './http/options';
import type { NodeMiddleware } from '../integrations/node';
import { useNodePlatform } from './platform/node';

/*
 * As in 1.x, `require('token-session')` is the TokenSession class itself and every other name a
 * property of it (`require('token-session').Store`): so the module is `export =` the class, and
 * the names are a namespace merged into it. A namespace merges only with the class's own
 * declaration, hence this augmentation of the engine's module. `SessionData`, which users extend
 * with `declare module 'token-session'`, is in the namespace the class declares itself
 * (src/core/token-session.ts): that one is there whatever order TypeScript merges in.
 */
declare module './core/token-session' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace TokenSession {
    export { TokenSession, TokenSessionError, isTokenSessionError, memoryIndex, redisIndex, storeClass };
    export { NewSession, SessionInfo, TokenSessionOptions, Callback, GenId, TokenSessionErrorCode };
    export { HackTtl, SessionRecord, SessionIndex, IndexEntry, RedisIndexClient, RedisIndexOptions, ExpressSessionStore, StoreCallback };
    // Types a handler is written with, whatever its framework.
    export { TokenSessionHandle, TokenStatus, HttpOptions, MiddlewareOptions, InvalidTokenEvent };
    // The value is the class's own `static Store`; this adds the type, for `let store: Store`.
    export type Store = BaseStore;
  }
}

/**
 * The class an express-session store factory makes, made for token-session:
 * `storeClass(createMemoryStore)` is `createMemoryStore(TokenSession)`. Typed factories declare
 * their argument as express-session itself, which the class cannot be; this answers what the
 * factory declares it makes. (In JavaScript, `require('memorystore')(TokenSession)` is the same.)
 */
function storeClass<Made>(factory: (session: any) => Made): Made {
  return factory(TokenSession);
}

useNodePlatform();
Object.assign(TokenSession, { Store, TokenSession, TokenSessionError, isTokenSessionError, memoryIndex, redisIndex, storeClass });

// The seed API's `tokenSession.express`: Express's adapter for this instance, loaded on first
// use (importing the engine loads no adapter), the same middleware each time.
const seedMiddlewares = new WeakMap<TokenSession<any>, NodeMiddleware>();
Object.defineProperty(TokenSession.prototype, 'express', {
  configurable: true,
  get(this: TokenSession<any>): NodeMiddleware {
    let middleware = seedMiddlewares.get(this);
    if (middleware === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const adapter = require('../integrations/express') as { expressTokenSession(sessions: TokenSession<any>): unknown };
      middleware = adapter.expressTokenSession(this) as NodeMiddleware;
      seedMiddlewares.set(this, middleware);
    }
    return middleware;
  },
});

export = TokenSession;

// Node's `import { Store } from 'token-session'` takes a CommonJS module's names from a scan of
// its source (cjs-module-lexer), which finds `module.exports = { name: identifier }` but sees
// through neither Object.assign nor the `errors_1.TokenSessionError` an imported name compiles to:
// so this assignment, never run, lists the names with placeholder values, as esbuild's output does.
// attw, in test/package.test.ts, fails when these names and the namespace's values differ.
0 && (module.exports = { TokenSession: undefined, Store: undefined, TokenSessionError: undefined, isTokenSessionError: undefined, memoryIndex: undefined, redisIndex: undefined, storeClass: undefined });
