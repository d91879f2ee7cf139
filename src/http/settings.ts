import { TokenSession } from '../core/token-session';
import { TokenSessionError } from '../errors';
import type { TokenSessionOptions } from '../core/options';

/** Where the token travels, and whether a session is required. */
export interface HttpOptions {
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
}

/**
 * What every adapter accepts: engine options plus HTTP options, or `{ sessions, ...HttpOptions }`
 * to share an existing instance, or a bare instance.
 */
export type MiddlewareOptions<T = any> =
  | TokenSession<T>
  | (HttpOptions & TokenSessionOptions)
  | (HttpOptions & { sessions: TokenSession<T> });

/** HTTP options after defaults. */
export interface HttpSettings {
  /** Lower-case, as Node stores request headers. */
  header: string;
  bearer: boolean;
  query: string | undefined;
  responseHeader: string;
  required: boolean;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Splits adapter options into the engine (made or shared) and the HTTP settings. */
export function resolveMiddlewareOptions<T>(input: MiddlewareOptions<T> | undefined): {
  sessions: TokenSession<T>;
  settings: HttpSettings;
} {
  if (input instanceof TokenSession) return { sessions: input, settings: resolveHttpOptions({}) };
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new TokenSessionError('ERR_OPTIONS', 'middleware options must be an object or a TokenSession');
  }
  const { header, query, responseHeader, required, ...rest } = (input ?? {}) as HttpOptions &
    TokenSessionOptions & { sessions?: unknown };
  const settings = resolveHttpOptions({ header, query, responseHeader, required });
  if (!('sessions' in rest)) return { sessions: new TokenSession<T>(rest), settings };

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
  return { sessions: sessions as TokenSession<T>, settings };
}

function resolveHttpOptions(options: Partial<Record<keyof HttpOptions, unknown>>): HttpSettings {
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
  return { header, bearer, query: query === false ? undefined : query, responseHeader, required };
}

function headerName(option: string, value: unknown): string {
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) {
    throw new TokenSessionError('ERR_OPTIONS', `option "${option}" must be an HTTP header name`);
  }
  return value.toLowerCase();
}
