// The HTTP options every adapter takes (where the token travels, whether a session is required), their defaults and validation.
import { TokenSession } from '../core/token-session';
import { TokenSessionError } from '../errors';
import { assertKnownOptions, type TokenSessionOptions } from '../core/options';
import type { IncomingMessage } from 'node:http';

/** A request that presented a token that opens no session: what `onInvalidToken` receives (`Request`: the web's, in token-session/fetch and /hono). */
export interface InvalidTokenEvent<Request = IncomingMessage> {
  /** `malformed`: not a token of the accepted shape (no store call was made); `unknown`: well-formed, but no live session has it (guessed, expired, destroyed). */
  reason: 'malformed' | 'unknown';
  /**
   * The request: Node's (every Node framework's raw request), for the client's address,
   * `request.socket.remoteAddress` or your proxy's header; the web's `Request` in the web adapters.
   */
  request: Request;
}

/** Where the token travels, and whether a session is required. */
export interface HttpOptions<Request = IncomingMessage> {
  /**
   * The request header that carries the token. `authorization` reads `Authorization: Bearer <token>`.
   * @default 'x-session-token'
   */
  header?: string;
  /**
   * A query parameter that may carry the token instead; off unless named. Tokens in URLs leak
   * through logs and `Referer`, so enable it only for links that need it.
   * @default off
   */
  query?: string | false;
  /**
   * The response header that carries a new token.
   * @default the `header` name, or 'x-session-token' when `header` is 'authorization'
   */
  responseHeader?: string;
  /**
   * Answer 401 to every request without a valid session.
   * @default false
   */
  required?: boolean;
  /**
   * Called, before the handler, for every request whose token opens no session: the hook for a
   * rate limiter against token guessing (README, "Brute force"). It runs in the request's path:
   * keep it quick; a throw fails the request with a 500.
   */
  onInvalidToken?: (event: InvalidTokenEvent<Request>) => void;
}

/**
 * What every adapter accepts: engine options plus HTTP options, or `{ sessions, ...HttpOptions }`
 * to share an existing instance, or a bare instance.
 */
export type MiddlewareOptions<T = any, Request = IncomingMessage> =
  | TokenSession<T>
  | (HttpOptions<Request> & TokenSessionOptions)
  | (HttpOptions<Request> & { sessions: TokenSession<T> });

/** HTTP options after defaults. */
export interface ResolvedHttpOptions {
  /** Lower-case, as Node stores request headers. */
  header: string;
  bearer: boolean;
  query: string | undefined;
  responseHeader: string;
  required: boolean;
  onInvalidToken: ((event: InvalidTokenEvent<any>) => void) | undefined;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What a middleware takes besides the engine's options. */
const MIDDLEWARE_OPTIONS = ['sessions', 'header', 'query', 'responseHeader', 'required', 'onInvalidToken'] as const;

/** Splits adapter options into the engine (made or shared) and the HTTP options. */
export function resolveMiddlewareOptions<T>(input: MiddlewareOptions<T, unknown> | undefined): {
  sessions: TokenSession<T>;
  options: ResolvedHttpOptions;
} {
  if (input instanceof TokenSession) return { sessions: input, options: resolveHttpOptions({}) };
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new TokenSessionError('ERR_OPTIONS', 'middleware options must be an object or a TokenSession');
  }
  assertKnownOptions(input ?? {}, MIDDLEWARE_OPTIONS);
  const { header, query, responseHeader, required, onInvalidToken, ...rest } = (input ?? {}) as HttpOptions &
    TokenSessionOptions & { sessions?: unknown };
  const options = resolveHttpOptions({ header, query, responseHeader, required, onInvalidToken });
  if (!('sessions' in rest)) return { sessions: new TokenSession<T>(rest), options };

  const { sessions, ...engineOptions } = rest;
  if (!(sessions instanceof TokenSession)) {
    throw new TokenSessionError('ERR_OPTIONS', 'option "sessions" must be a TokenSession instance');
  }
  const stray = Object.keys(engineOptions);
  if (stray.length > 0) {
    throw new TokenSessionError(
      'ERR_OPTIONS',
      `option "${stray[0]}" configures the engine, but "sessions" passes an existing one; set it there`,
    );
  }
  return { sessions: sessions as TokenSession<T>, options };
}

/**
 * Refuses an adapter's factory that a framework is calling as the middleware itself:
 * `app.use(expressTokenSession)` for `app.use(expressTokenSession())`. A framework calls a
 * middleware with two or more arguments, `(req, res, next)`, `(ctx, next)`, `(c, next)`, and a
 * factory is called with one at most, so a second argument is that mistake. Each factory checks
 * it before its options, which would be the framework's request, so that the error names the fix
 * rather than an option of the request ("option "header" must be an HTTP header name").
 */
export function assertFactoryCall(factory: string, secondArgument: unknown): void {
  if (secondArgument === undefined) return;
  throw new TokenSessionError('ERR_OPTIONS', `${factory}(options) makes the middleware: write app.use(${factory}()), not app.use(${factory})`);
}

function resolveHttpOptions(options: Partial<Record<keyof HttpOptions, unknown>>): ResolvedHttpOptions {
  const header = headerName('header', options.header ?? 'x-session-token');
  const bearer = header === 'authorization';
  const responseHeader = headerName('responseHeader', options.responseHeader ?? (bearer ? 'x-session-token' : header));
  const query = options.query ?? false;
  const required = options.required ?? false;
  if (query !== false && (typeof query !== 'string' || query === '')) {
    throw new TokenSessionError('ERR_OPTIONS', 'option "query" must be a parameter name or false');
  }
  if (typeof required !== 'boolean') {
    throw new TokenSessionError('ERR_OPTIONS', 'option "required" must be true or false');
  }
  const { onInvalidToken } = options;
  if (onInvalidToken !== undefined && typeof onInvalidToken !== 'function') {
    throw new TokenSessionError('ERR_OPTIONS', 'option "onInvalidToken" must be a function');
  }
  return {
    header,
    bearer,
    query: query === false ? undefined : query,
    responseHeader,
    required,
    onInvalidToken: onInvalidToken as ResolvedHttpOptions['onInvalidToken'],
  };
}

function headerName(option: string, value: unknown): string {
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) {
    throw new TokenSessionError('ERR_OPTIONS', `option "${option}" must be an HTTP header name`);
  }
  return value.toLowerCase();
}
