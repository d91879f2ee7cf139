import type { TokenSession } from '../core/token-session';
import { TokenSessionError } from '../errors';
import { andThen, isPromise, type Maybe } from '../maybe';
import { RequestSession } from './request-session';
import { readPresentedToken, type RawRequest } from './request-token';
import { resolveMiddlewareOptions, type HttpSettings, type InvalidTokenEvent, type MiddlewareOptions } from './settings';
import type { IncomingMessage } from 'node:http';

/** A response the lifecycle asks an adapter to send instead of running the handler. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: { statusCode: number; error: string; message: string };
}

/**
 * The framework-neutral request lifecycle. An adapter calls `open` before the handler,
 * `unauthorized` to see whether to answer 401, and `commit` before the response is sent.
 * A failure of `open` or `commit` is a rejected promise whose error already carries its HTTP
 * status (see `withHttpStatus`), so an adapter hands it to its framework's error path as it is.
 */
export class HttpLifecycle<T = any> {
  readonly sessions: TokenSession<T>;
  readonly settings: HttpSettings;

  constructor(options?: MiddlewareOptions<T>) {
    ({ sessions: this.sessions, settings: this.settings } = resolveMiddlewareOptions(options));
  }

  /**
   * The request's session. No token (or a malformed one): no store call. A well-formed token:
   * exactly one store read, whether or not the handler looks at the session, since the
   * commit's touch decision needs the record. At once when the store answers at once. Never
   * throws: a failure, a throwing `onInvalidToken` included, is a rejected promise.
   */
  open(raw: RawRequest): Maybe<RequestSession<T>> {
    const presented = readPresentedToken(raw, this.settings);
    if (presented.token === null) {
      const session = new RequestSession(this.sessions, presented, null, raw);
      if (!presented.presented) return session;
      return withStatusOnFailure(andThen(undefined, () => {
        this.#reportInvalid('malformed', raw);
        return session;
      }));
    }
    return withStatusOnFailure(andThen(this.sessions.records.findShaped(presented.token), (loaded) => {
      if (loaded === null) this.#reportInvalid('unknown', raw);
      return new RequestSession(this.sessions, presented, loaded, raw);
    }));
  }

  #reportInvalid(reason: InvalidTokenEvent['reason'], raw: RawRequest): void {
    // Adapters pass Node's request; RawRequest names only the part the token is read from.
    this.settings.onInvalidToken?.({ reason, request: raw as IncomingMessage });
  }

  /**
   * The 401 to send when a session is required and the request has none; `null` to go on.
   * `required` may be a function (a route's own setting, `undefined` when it has none): it is
   * called only for a request without a session, since reading it costs some frameworks an
   * allocation per request (Fastify's `routeOptions`).
   */
  unauthorized(
    session: RequestSession<T> | undefined,
    required: boolean | (() => boolean | undefined) = this.settings.required,
  ): HttpReply | null {
    if (!session) {
      // A per-route guard whose request never went through the middleware: a set-up mistake, said plainly.
      throw new TokenSessionError('ERR_OPTIONS', 'requireSession runs after the token-session middleware; register that first');
    }
    if (session.id !== null) return null;
    if (typeof required === 'function') required = required() ?? this.settings.required;
    if (!required) return null;
    const badToken = session.tokenStatus === 'unknown' || session.tokenStatus === 'malformed';
    const headers: Record<string, string> = {};
    if (this.settings.bearer) {
      // RFC 6750 section 3: no error code when no token was sent, invalid_token when it was bad.
      headers['www-authenticate'] = badToken ? 'Bearer error="invalid_token"' : 'Bearer';
    }
    const message = badToken ? 'the session token is invalid or has expired' : 'a session token is required';
    return { status: 401, headers, body: { statusCode: 401, error: 'Unauthorized', message } };
  }

  /**
   * Writes what the request changed (or touches, or nothing), then returns the headers the
   * response needs: a new token and `Cache-Control: no-store`, or none. At once when nothing
   * is to be written, or the store answers at once.
   */
  commit(session: RequestSession<T>): Maybe<Record<string, string> | null> {
    // Once per request: a framework may run its send hook again, for the error response of a failed commit.
    if (!session.startFinalCommit()) return null;
    return withStatusOnFailure(andThen(session.commit(), () => {
      const token = session.issuedToken;
      return token === null ? null : { [this.settings.responseHeader]: token, 'cache-control': 'no-store' };
    }));
  }
}

/** A value as it is; a promise whose failure gets its HTTP status. */
function withStatusOnFailure<R>(result: Maybe<R>): Maybe<R> {
  if (!isPromise(result)) return result;
  return result.catch((err: unknown) => {
    throw withHttpStatus(err);
  });
}

/**
 * Gives an error the HTTP status frameworks read (`status`, `statusCode`): 503 when the store
 * failed or timed out, since the service is unavailable rather than broken; 500 otherwise.
 */
export function withHttpStatus<E>(err: E): E {
  if (err instanceof TokenSessionError && (err as { statusCode?: number }).statusCode === undefined) {
    const status = err.code === 'ERR_STORE' || err.code === 'ERR_STORE_TIMEOUT' ? 503 : 500;
    Object.assign(err, { status, statusCode: status, expose: false });
  }
  return err;
}

/** The same as an `HttpReply`, for frameworks (Hapi) whose hooks answer with a response rather than an error. */
export function errorReply(err: unknown): HttpReply {
  const status = (withHttpStatus(err) as { statusCode?: number }).statusCode ?? 500;
  const error = status === 503 ? 'Service Unavailable' : 'Internal Server Error';
  return { status, headers: {}, body: { statusCode: status, error, message: 'An internal server error occurred' } };
}
