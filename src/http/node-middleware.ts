import type { IncomingMessage, ServerResponse } from 'node:http';
import { debuglog } from 'node:util';
import { isPromise, type Maybe } from '../maybe';
import { HttpLifecycle, type HttpReply } from './lifecycle';
import { attachHandle, holdEnd } from './node-attach';
import type { RequestSession } from './request-session';
import type { TokenSessionHandle } from './request-session';
import type { MiddlewareOptions } from './settings';

const debug = debuglog('token-session');

type Next = (err?: unknown) => void;
type Request = IncomingMessage & { tokenSession?: TokenSessionHandle<any> };
type Middleware = (req: Request, res: ServerResponse, next: Next) => void;

/** A connect-style middleware (Express, connect, polka), plus a per-route guard. */
export interface NodeMiddleware extends Middleware {
  /** Answers 401 on routes it guards when the request has no session. */
  requireSession: Middleware;
}

/**
 * Sessions for Node's own request and response: load before the handler; commit before the
 * response leaves by holding `res.end` until the store has the change (as express-session
 * does), so a client's next request always sees it. A failed commit goes to `next(err)`,
 * the framework's error path, instead of the response the handler meant to send.
 */
export function nodeMiddleware(options?: MiddlewareOptions): NodeMiddleware {
  const lifecycle = new HttpLifecycle(options);

  const middleware = function tokenSession(req: Request, res: ServerResponse, next: Next): void {
    const start = (session: RequestSession): void => {
      attachHandle(req, session);
      const reply = lifecycle.unauthorized(session);
      if (reply) return sendReply(res, reply);
      holdEnd(res, (response, end, args) => endAfterCommit(response, end, args, lifecycle.commit(session), next));
      next();
    };
    const opened = lifecycle.open(req);
    if (isPromise(opened)) opened.then(start, next);
    else start(opened);
  } as NodeMiddleware;

  middleware.requireSession = function requireTokenSession(req, res, next) {
    const reply = lifecycle.unauthorized(req.tokenSession as RequestSession | undefined, true);
    if (reply) sendReply(res, reply);
    else next();
  };
  return middleware;
}

/** Ends the response once the commit is done, with the headers it asks for; a failed commit goes to `next(err)`. */
function endAfterCommit(
  res: ServerResponse,
  end: (...args: unknown[]) => unknown,
  args: unknown[],
  committed: Maybe<Record<string, string> | null>,
  next: Next,
): unknown {
  const finish = (headers: Record<string, string> | null): unknown => {
    if (headers && res.headersSent) debug('a new token could not be sent: the response headers were already sent');
    else if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    return end.apply(res, args);
  };
  // Nothing to wait for (a read-only request, an in-memory store): end now, within the handler's call.
  if (!isPromise(committed)) return finish(committed);
  committed.then(finish, next);
  return res;
}

function sendReply(res: ServerResponse, reply: HttpReply): void {
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(reply.body));
}
