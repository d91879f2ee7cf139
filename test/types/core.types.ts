// Type tests: checked by `npm run typecheck` (part of `npm test`), never executed.
import { TokenSession, TokenSessionError, type SessionData, type TokenSessionErrorCode } from '../../src';

declare module '../../src' {
  interface SessionData {
    userId?: string;
  }
}

interface Cart {
  items: string[];
}

export async function typedData(): Promise<void> {
  const carts = new TokenSession<Cart>();
  const { sid, data } = await carts.new({ items: [] });
  const items: string[] = data.items;
  const read: Cart | null = await carts.get(sid);
  // @ts-expect-error data must have the session's type
  await carts.set(sid, { items: 'not a list' });
  // @ts-expect-error a TTL is a number of seconds
  await carts.newWttl({ items: [] }, '60');
  void items;
  void read;
}

export async function augmentedDefault(): Promise<void> {
  const sessions = new TokenSession();
  const data: SessionData | null = await sessions.get('abc');
  const userId: string | undefined = data?.userId;
  // @ts-expect-error userId is declared a string
  await sessions.new({ userId: 42 });
  void userId;
}

export function callbacksReturnVoid(sessions: TokenSession<Cart>): void {
  const nothing: void = sessions.get('abc', (err, cart) => {
    const e: Error | null = err;
    const c: Cart | null | undefined = cart;
    void e;
    void c;
  });
  // @ts-expect-error the callback form returns nothing to await
  void sessions.get('abc', () => undefined).then;
  void nothing;
}

export function errorCodes(err: unknown): TokenSessionErrorCode | undefined {
  // @ts-expect-error options are checked: no unknown keys
  new TokenSession({ sotre: {} });
  return err instanceof TokenSessionError ? err.code : undefined;
}

// The user entry exports no internals; adapter authors find the lifecycle in token-session/adapter.
// @ts-expect-error not exported from token-session
import { HttpLifecycle as NotHere } from '../../src';
// @ts-expect-error not exported anywhere
import { andThen } from '../../src';
import { HttpLifecycle, errorReply, type HttpError } from '../../src/adapter';

export function adapterEntry(): void {
  const lifecycle = new HttpLifecycle();
  // The continuations' results come back as they are, or as a promise of them.
  const opened: string | Promise<string> = lifecycle.open({ headers: {} }, (session) => session.tokenStatus, (err: HttpError) => err.message);
  const reply: number = errorReply(new Error('x')).status;
  void [NotHere, andThen, opened, reply];
}

// One-time codes carry their own data, not the session's: `{ userId, purpose }` fits neither
// the augmented SessionData (no `purpose`) nor a session type with required fields (no `cart`).
interface VerifyEmail {
  userId: string;
  purpose: 'verify-email';
}

export async function oneTimeData(sessions: TokenSession, carts: TokenSession<{ userId: string; cart: string[] }>): Promise<void> {
  const code: string = await sessions.newOnce({ userId: 'u1', purpose: 'verify-email' }, 900);
  await carts.newOnce({ userId: 'u1', purpose: 'verify-email' }, 900);
  const claim: VerifyEmail | null = await carts.consume<VerifyEmail>(code);
  const purpose: 'verify-email' | undefined = claim?.purpose;
  // @ts-expect-error null for a spent, expired or unknown code
  const sure: VerifyEmail = await carts.consume<VerifyEmail>(code);
  // @ts-expect-error consume gives what it was told, or null: never a session's data
  const cart: { cart: string[] } | null = await carts.consume<VerifyEmail>(code);
  // @ts-expect-error without a type argument the data is unknown until checked
  const userId: string | undefined = (await sessions.consume(code))?.userId;
  // An interface is a plain object type too, and naming it checks the data.
  await sessions.newOnce<VerifyEmail>({ userId: 'u1', purpose: 'verify-email' }, 900);
  // @ts-expect-error the named type's purpose is 'verify-email'
  await sessions.newOnce<VerifyEmail>({ userId: 'u1', purpose: 'reset' }, 900);
  // @ts-expect-error one-time data is an object
  await sessions.newOnce('u1', 900);
  // @ts-expect-error a TTL is a number of seconds
  await sessions.newOnce({ userId: 'u1' }, '900');
  // The callback forms take the same types, and return nothing.
  const nothing: void = sessions.newOnce({ userId: 'u1', purpose: 'reset' }, 900, (err, issued) => void [err, issued?.length]);
  sessions.consume<VerifyEmail>(code, (err, data) => {
    const got: VerifyEmail | null | undefined = data;
    void [err, got];
  });
  void [purpose, sure, cart, userId, nothing];
}
