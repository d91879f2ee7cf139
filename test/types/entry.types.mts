// Type tests of the entry from an ES module (`.mts`, as a Node ESM user or a bundler sees it): default and named imports.
// SessionData is augmented in core.types.ts (userId?: string), which this program includes.
import TokenSession, { TokenSession as Named, Store, type SessionData, type TokenSessionOptions } from '../../src/index.js';
import { expressTokenSession } from '../../integrations/express.js';
import { koaTokenSession } from '../../integrations/koa.js';
import { tokenSessionPlugin } from '../../integrations/fastify.js';
import { hapiTokenSession } from '../../integrations/hapi.js';

export async function defaultAndNamedAreTheClass(): Promise<void> {
  const options: TokenSessionOptions = { ttl: 60 };
  const sessions: Named = new TokenSession(options);
  const same: TokenSession = new Named();
  const data: SessionData | null = await sessions.get('abc');
  const userId: string | undefined = (await same.get('abc'))?.userId;
  // @ts-expect-error userId is declared a string
  await same.new({ userId: 42 });
  const store: Store = new TokenSession.Store();
  void [data, userId, store];
}

export function adaptersAreNamed(): void {
  void [expressTokenSession().requireSession, koaTokenSession().requireSession, tokenSessionPlugin, hapiTokenSession.register];
}
