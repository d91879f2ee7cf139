// Type tests of the entry's shape (1.x's: the module is the class): every way a CommonJS file imports it.
// SessionData is augmented in core.types.ts (userId?: string), which this program includes.
import TokenSession = require('../../src');
import Default from '../../src';
import { TokenSession as Named, Store, TokenSessionError, isTokenSessionError, memoryIndex, redisIndex } from '../../src';
import type { SessionData, TokenSessionOptions, HttpOptions, MiddlewareOptions, TokenSessionHandle, SessionRecord } from '../../src';

export async function theModuleIsTheClass(): Promise<void> {
  const sessions: Named = new TokenSession({ ttl: 60 });
  const same: TokenSession = new Default();
  const alsoSame: TokenSession.TokenSession = new TokenSession.TokenSession();
  const carts: TokenSession<{ items: string[] }> = new Named<{ items: string[] }>();
  // The augmentation reaches the class however it was imported.
  const data: SessionData | null = await sessions.get('abc');
  const userId: string | undefined = (await same.get('abc'))?.userId;
  // @ts-expect-error userId is declared a string
  await alsoSame.new({ userId: 42 });
  // @ts-expect-error the module is the class: it has no `default`
  void TokenSession.default;
  void [data, userId, carts];
}

export function everyNameIsAPropertyToo(err: unknown): void {
  const names: [typeof Named, typeof Store, typeof TokenSessionError, typeof isTokenSessionError, typeof memoryIndex, typeof redisIndex] = [
    TokenSession.TokenSession, TokenSession.Store, TokenSession.TokenSessionError, TokenSession.isTokenSessionError, TokenSession.memoryIndex, TokenSession.redisIndex,
  ];
  const store: Store = new TokenSession.Store();
  const failure: TokenSessionError | undefined = isTokenSessionError(err) ? err : undefined;
  void [names, store, failure];
}

export function typesAreNamesToo(handle: TokenSessionHandle, record: TokenSession.SessionRecord): void {
  const options: TokenSessionOptions = { ttl: 60 };
  const http: HttpOptions = { header: 'authorization' };
  const both: MiddlewareOptions = { ...options, ...http };
  const same: SessionRecord = record;
  const userId: string | undefined = handle.data.userId;
  void [both, same, userId];
}
