// token-session/fetch: sessions for the web's own Request and Response (Bun.serve, Deno.serve, Cloudflare Workers, route handlers); this path imports nothing from `node:`.
// The root entry's types come with this entry's: `declare module 'token-session'` (typing SessionData)
// needs that module in the program, and an app may import only this entry (TS2664 otherwise).
/// <reference path="../src/index.ts" preserve="true" />
import type { SessionData, TokenSession } from '../src/core/token-session';
import { errorReply, HttpLifecycle, routeRequirement, type HttpError, type HttpReply, type RouteRequirement } from '../src/http/lifecycle';
import type { ClientInfo } from '../src/core/commit-plan';
import type { MiddlewareOptions } from '../src/http/options';
import type { TokenSessionHandle } from '../src/http/request-session';

export { TokenSession, type SessionData } from '../src/core/token-session';
export { TokenSessionError, isTokenSessionError, type TokenSessionErrorCode } from '../src/errors';
export { memoryIndex } from '../src/store/session-index';
export type { TokenSessionHandle, TokenStatus } from '../src/http/request-session';
export type { HttpOptions, InvalidTokenEvent } from '../src/http/options';
export type { RouteRequirement } from '../src/http/lifecycle';

/** Engine options and HTTP options (`onInvalidToken` gets the web's `Request`), `{ sessions: instance, ...HttpOptions }`, or an instance. */
export type FetchTokenSessionOptions<T = SessionData> = MiddlewareOptions<T, Request>;

/** A fetch handler that also gets the request's session. */
export type SessionHandler<T, Rest extends unknown[]> = (request: Request, session: TokenSessionHandle<T>, ...rest: Rest) => Response | Promise<Response>;

export interface FetchTokenSession<T = SessionData> {
  /** The engine (for `list`, `destroyAll`, `newOnce`, ...). */
  readonly sessions: TokenSession<T>;
  /**
   * Reads the request's token (the header, `Authorization: Bearer`, or the query parameter when
   * enabled) and opens its session: one store read for a well-formed token, none for a missing
   * or malformed one. Rejects when the store fails (`errorResponse` makes it the 503 to send).
   * `address`: the client's, for the `metadata` option (the web's Request carries none).
   */
  open(request: Request, address?: string): Promise<TokenSessionHandle<T>>;
  /**
   * Writes what the handler asked for, then resolves to `response` with the token header and
   * `Cache-Control: no-store` when a token was issued (a copy, where its headers are immutable,
   * as `Response.redirect()`'s are). Rejects when the store fails, before anything is sent.
   */
  commit(session: TokenSessionHandle<T>, response: Response): Promise<Response>;
  /**
   * A fetch handler around `handler`: open, the 401 of `required`, the handler, commit; a failed
   * store answers 503. `clientAddress` tells the client's address (for `metadata`) from the
   * handler's arguments: `(request, server) => server.requestIP(request)?.address` on Bun.
   */
  wrap<Rest extends unknown[]>(
    handler: SessionHandler<T, Rest>,
    options?: { clientAddress?: (request: Request, ...rest: Rest) => string | undefined },
  ): (request: Request, ...rest: Rest) => Promise<Response>;
  /**
   * The 401 to answer when `required` (the option, or this argument: `true`, or `{ maxAuthAge }`
   * for a sign-in at most that many seconds old) wants what the request does not have; else `null`.
   */
  unauthorized(session: TokenSessionHandle<T>, required?: RouteRequirement): Response | null;
  /** A failure of `open` or `commit` as the response to send: 503 when the store failed, else 500. */
  errorResponse(err: unknown): Response;
}

/** `export default { fetch: fetchTokenSession(options).wrap((request, session) => new Response('...')) }`. */
export function fetchTokenSession<T = SessionData>(options?: FetchTokenSessionOptions<T>): FetchTokenSession<T> {
  const lifecycle = new HttpLifecycle<T>(options, webClient);
  const recordsClients = lifecycle.sessions.records.recordsMetadata;

  const open = (request: Request, address?: string) =>
    Promise.resolve(lifecycle.open(request, (session) => session, rethrow, address === undefined ? request : { request, address }));
  const commit = async (session: TokenSessionHandle<T>, response: Response) =>
    lifecycle.commit(session, (headers) => (headers === null ? response : withHeaders(response, headers)), rethrow);
  const unauthorized = (session: TokenSessionHandle<T>, required?: RouteRequirement) => {
    const reply = lifecycle.unauthorized(session, required === undefined ? undefined : routeRequirement(required));
    return reply === null ? null : replyResponse(reply);
  };
  const errorResponse = (err: unknown) => replyResponse(errorReply(err as HttpError));

  return {
    sessions: lifecycle.sessions,
    open,
    commit,
    unauthorized,
    errorResponse,
    wrap: (handler, { clientAddress } = {}) => async (request, ...rest) => {
      let session: TokenSessionHandle<T>;
      try {
        session = await open(request, recordsClients ? clientAddress?.(request, ...rest) : undefined);
      } catch (err) {
        return errorResponse(err);
      }
      const refused = unauthorized(session);
      if (refused) return refused;
      let response: Response;
      try {
        response = await handler(request, session, ...rest);
      } catch (err) {
        // As the other adapters: what the handler asked for is committed on failure too, and a failed commit's error wins.
        try {
          await commit(session, new Response(null));
        } catch (commitErr) {
          return errorResponse(commitErr);
        }
        throw err;
      }
      try {
        return await commit(session, response);
      } catch (err) {
        await response.body?.cancel();
        return errorResponse(err);
      }
    },
  };
}

/** Who made a session (the `metadata` option): the user agent, and the address when the app told it. */
function webClient(source: Request | { request: Request; address: string }): ClientInfo {
  const request = source instanceof Request ? source : source.request;
  return { userAgent: request.headers.get('user-agent') ?? undefined, ip: source instanceof Request ? undefined : source.address };
}

function rethrow(err: HttpError): never {
  throw err;
}

/** `response` with `headers` added, or a copy with them where its headers are immutable (the first `set` throws: none is set). */
function withHeaders(response: Response, headers: Record<string, string>): Response {
  try {
    setAll(response.headers, headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    setAll(copy.headers, headers);
    return copy;
  }
}

function setAll(target: Headers, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) target.set(name, value);
}

function replyResponse(reply: HttpReply): Response {
  return new Response(JSON.stringify(reply.body), {
    status: reply.status,
    headers: { ...reply.headers, 'content-type': 'application/json; charset=utf-8' },
  });
}
