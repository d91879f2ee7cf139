// The framework-neutral request lifecycle: read the token, open the session, refuse with a 401, commit before the response.
import type { TokenSession } from '../core/token-session';
import { TokenSessionError } from '../errors';
import type { ClientInfo } from '../core/commit-plan';
import { andThen, isPromise, type Maybe } from '../maybe';
import { resolveMiddlewareOptions, type InvalidTokenEvent, type MiddlewareOptions, type ResolvedHttpOptions } from './options';
import { RequestSession, type TokenSessionHandle } from './request-session';
import { readPresentedToken, type RawRequest } from './request-token';

/** A response the lifecycle asks an adapter to send instead of running the handler. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: { statusCode: number; error: string; message: string };
}

/**
 * What a route requires: a session (`true`), none (`false`), or a session whose sign-in is at
 * most `maxAuthAge` seconds old (RFC 9470's `max_age`; see `reauthenticate()`).
 */
export type RouteRequirement = boolean | { maxAuthAge: number };

/** A route's requirement as given, checked where the route is declared (`ERR_OPTIONS`). */
export function routeRequirement(value: unknown): RouteRequirement {
  if (typeof value === 'boolean') return value;
  const maxAuthAge = (value as { maxAuthAge?: unknown } | null)?.maxAuthAge;
  if (typeof value !== 'object' || typeof maxAuthAge !== 'number' || !Number.isFinite(maxAuthAge) || maxAuthAge < 0) {
    throw new TokenSessionError('ERR_OPTIONS', 'a route\'s "required" must be true, false or { maxAuthAge: seconds } (a number, 0 or more)');
  }
  return { maxAuthAge };
}

/** A failure of `open` or `commit`, with the HTTP status frameworks read (`status`, `statusCode`): 503 when the store failed. */
export type HttpError = Error & { status?: number; statusCode?: number };

/**
 * The request lifecycle an adapter drives: `open` before the handler, `unauthorized` to see
 * whether to answer 401, `commit` before the response is sent. `open` and `commit` hand their
 * result to a continuation: at once when the store answers at once (an in-memory store: the
 * request never leaves the framework's own call), else once it has. Whatever the continuation
 * returns is returned, or a promise of it, for frameworks that take a hook's return value. A
 * failure goes to `otherwise`, its HTTP status already on the error.
 */
export class HttpLifecycle<T = any> {
  readonly sessions: TokenSession<T>;
  readonly options: ResolvedHttpOptions;

  readonly #clientOf: ((source: any) => ClientInfo) | undefined;
  /** The 401's message for a request that sent no token: where the token goes, so a client's author need not guess. */
  readonly #tokenRequired: string;

  /**
   * `clientOf(source)` tells who made a session, for the engine's `metadata` option: the user
   * agent and the address as the framework knows it (its trusted-proxy setting); `source` is
   * what the adapter hands `open` (its request or context). Called only when a session is made.
   */
  constructor(options?: MiddlewareOptions<T, any>, clientOf?: (source: any) => ClientInfo) {
    ({ sessions: this.sessions, options: this.options } = resolveMiddlewareOptions(options));
    this.#clientOf = clientOf;
    const { bearer, header, query } = this.options;
    const where = bearer ? 'the Authorization header, as "Bearer <token>"' : `the ${header} header`;
    this.#tokenRequired = `a session token is required: send it in ${where}${query === undefined ? '' : ` or the ${query} query parameter`}`;
  }

  /**
   * Opens the request's session. No token (or a malformed one): no store call. A well-formed
   * token: exactly one store read, whether or not the handler looks at the session, since the
   * commit's touch decision needs the record. A throwing `onInvalidToken` is a failure too.
   */
  open<R>(raw: RawRequest, then: (session: TokenSessionHandle<T>) => R, otherwise: (err: HttpError) => R, source: unknown = raw): Maybe<R> {
    return settled(this.#open(raw, source), then, otherwise);
  }

  #open(raw: RawRequest, source: unknown): Maybe<RequestSession<T>> {
    const presented = readPresentedToken(raw, this.options);
    if (presented.token === null) {
      const session = new RequestSession(this.sessions, presented, null, raw, this.#clientOf, source);
      if (!presented.presented) return session;
      return andThen(undefined, () => {
        this.#reportInvalid('malformed', raw);
        return session;
      });
    }
    return andThen(this.sessions.records.findShaped(presented.token), (loaded) => {
      if (loaded === null) this.#reportInvalid('unknown', raw);
      return new RequestSession(this.sessions, presented, loaded, raw, this.#clientOf, source);
    });
  }

  #reportInvalid(reason: InvalidTokenEvent['reason'], raw: RawRequest): void {
    // Adapters pass their framework's raw request (Node's, or the web's); RawRequest names only the part the token is read from.
    this.options.onInvalidToken?.({ reason, request: raw });
  }

  /**
   * The 401 to send when a session is required and the request has none, or has one whose
   * sign-in is older than `{ maxAuthAge }`; `null` to go on. `required` may be a function (a
   * route's own setting, `undefined` when it has none): it is called only for a request without a
   * session, since reading it costs some frameworks an allocation per request (Fastify's
   * `routeOptions`); such a framework checks a route's `maxAuthAge` on its own path.
   */
  unauthorized(
    session: TokenSessionHandle<T> | undefined,
    required: RouteRequirement | (() => RouteRequirement | undefined) = this.options.required,
  ): HttpReply | null {
    if (!session) {
      // A per-route guard whose request never went through the middleware: a set-up mistake, said plainly.
      throw new TokenSessionError('ERR_OPTIONS', 'requireSession runs after the token-session middleware; register that first');
    }
    if (session.id !== null) return typeof required === 'object' ? staleSignIn(session, required.maxAuthAge) : null;
    if (typeof required === 'function') required = required() ?? this.options.required;
    if (!required) return null;
    const badToken = session.tokenStatus === 'unknown' || session.tokenStatus === 'malformed';
    const headers: Record<string, string> = {};
    if (this.options.bearer) {
      // RFC 6750 section 3: no error code when no token was sent, invalid_token when it was bad.
      headers['www-authenticate'] = badToken ? 'Bearer error="invalid_token"' : 'Bearer';
    }
    const message = badToken ? 'the session token is invalid or has expired' : this.#tokenRequired;
    return { status: 401, headers, body: { statusCode: 401, error: 'Unauthorized', message } };
  }

  /**
   * Has the engine commit what the request asked for, then hands `then` the headers the
   * response needs: a new token and `Cache-Control: no-store`, or `null`. Once per request: a
   * framework may run its send hook again, for the error response of a failed commit.
   */
  commit<R>(session: TokenSessionHandle<T>, then: (headers: Record<string, string> | null) => R, otherwise: (err: HttpError) => R): Maybe<R> {
    if (!(session instanceof RequestSession)) {
      // The handler replaced the request's session with something of its own: its commit is lost, said plainly.
      return otherwise(withHttpStatus(new TokenSessionError('ERR_OPTIONS', 'the request\'s tokenSession was replaced by something the middleware did not make')));
    }
    const own = session as RequestSession<T>;
    if (!own.startFinalCommit()) return then(null);
    return settled(andThen(own.commit(), () => {
      const token = own.issuedToken;
      return token === null ? null : { [this.options.responseHeader]: token, 'cache-control': 'no-store' };
    }), then, otherwise);
  }
}

/** RFC 9470: a sign-in older than the route allows is refused with `insufficient_user_authentication`, and how recent one must be. */
function staleSignIn(session: TokenSessionHandle<any>, maxAuthAge: number): HttpReply | null {
  if (Date.now() - session.authenticatedAt! <= maxAuthAge * 1000) return null;
  return {
    status: 401,
    headers: { 'www-authenticate': `Bearer error="insufficient_user_authentication", max_age="${maxAuthAge}"` },
    body: { statusCode: 401, error: 'Unauthorized', message: `this needs a sign-in within the last ${maxAuthAge} s: sign in again` },
  };
}

/** `then(value)` now if the value is here, else once it is; a failure, with its HTTP status, to `otherwise`. */
function settled<V, R>(value: Maybe<V>, then: (value: V) => R, otherwise: (err: HttpError) => R): Maybe<R> {
  if (!isPromise(value)) return then(value);
  return value.then(then, (err: unknown) => otherwise(withHttpStatus(err) as HttpError)) as Promise<R>;
}

/**
 * Gives an error the HTTP status frameworks read (`status`, `statusCode`): 503 when the store
 * failed or timed out, since the service is unavailable rather than broken; 500 otherwise.
 */
function withHttpStatus<E>(err: E): E {
  if (err instanceof TokenSessionError && (err as { statusCode?: number }).statusCode === undefined) {
    const status = err.code === 'ERR_STORE' || err.code === 'ERR_STORE_TIMEOUT' ? 503 : 500;
    Object.assign(err, { status, statusCode: status, expose: false });
  }
  return err;
}

/** A failure as an `HttpReply`, for frameworks (Hapi) whose hooks answer with a response rather than an error. */
export function errorReply(err: HttpError): HttpReply {
  const status = err.statusCode ?? 500;
  const error = status === 503 ? 'Service Unavailable' : 'Internal Server Error';
  return { status, headers: {}, body: { statusCode: status, error, message: 'An internal server error occurred' } };
}
