// The adapter for Node's own request and response (connect, polka, plain http); Express builds on it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { debug } from '../src/core/debug';
import { HttpLifecycle, routeRequirement, type ClientInfo, type HttpReply, type MiddlewareOptions, type RouteRequirement, type TokenSessionHandle } from '../src/adapter';

type Next = (err?: unknown) => void;
type Request = IncomingMessage & { tokenSession?: TokenSessionHandle<any> };
type Middleware = (req: Request, res: ServerResponse, next: Next) => void;

/** A connect-style middleware (Express, connect, polka), plus a per-route guard. */
export interface NodeMiddleware extends Middleware {
  /** Answers 401 on routes it guards when the request has no session. */
  requireSession: Middleware;
  /** A guard for one route: `required({ maxAuthAge: 60 })` also answers 401 when the sign-in is older than 60 s. */
  required(requirement: RouteRequirement): Middleware;
}

/** The commit to run before the response goes: `end` is the real one, to call once it is done. */
export type EndAfterCommit = (res: ServerResponse, end: (...args: unknown[]) => unknown, args: unknown[]) => unknown;

/** How the handle reaches `req.tokenSession`, and how `res.end` is held until the commit is done. */
export interface NodeAttachment {
  attachHandle(req: IncomingMessage, handle: unknown): void;
  /** Makes the next `res.end` run `endAfterCommit` first; a later call passes straight through. */
  holdEnd(res: ServerResponse, endAfterCommit: EndAfterCommit): void;
}

/** Own properties on the request and response: what Node's own objects take at no cost. */
export const ownProperties: NodeAttachment = {
  attachHandle(req, handle) {
    (req as Request).tokenSession = handle as TokenSessionHandle<any>;
  },
  holdEnd(res, endAfterCommit) {
    const end = res.end as (...args: unknown[]) => unknown;
    let held = true;
    res.end = function endOnceCommitted(this: ServerResponse, ...args: unknown[]) {
      if (!held) return end.apply(this, args);
      held = false;
      return endAfterCommit(res, end, args);
    } as ServerResponse['end'];
  },
};

/**
 * Sessions for Node's request and response: open before the handler; commit before the
 * response leaves by holding `res.end` until the store has the change (as express-session
 * does), so a client's next request always sees it. A failure goes to `next(err)`, the
 * framework's error path, instead of the response the handler meant to send.
 */
export function nodeMiddleware(options?: MiddlewareOptions, attachment: NodeAttachment = ownProperties, clientOf: (req: IncomingMessage) => ClientInfo = socketClient): NodeMiddleware {
  const lifecycle = new HttpLifecycle(options, clientOf);

  const middleware = function tokenSession(req: Request, res: ServerResponse, next: Next): void {
    lifecycle.open(req, (session) => {
      attachment.attachHandle(req, session);
      const reply = lifecycle.unauthorized(session);
      if (reply) return sendReply(res, reply);
      attachment.holdEnd(res, (response, end, args) => {
        lifecycle.commit(session, (headers) => endWith(response, end, args, headers), next);
        return response; // what `end` returns, now or once the commit is done
      });
      next();
    }, next);
  } as NodeMiddleware;

  middleware.required = (requirement) => {
    const required = routeRequirement(requirement);
    return function requireTokenSession(req, res, next) {
      const reply = lifecycle.unauthorized(req.tokenSession, required);
      if (reply) sendReply(res, reply);
      else next();
    };
  };
  middleware.requireSession = middleware.required(true);
  return middleware;
}

/** Who made a session (the `metadata` option), by Node's own request: its socket's address, with no proxy in between. */
function socketClient(req: IncomingMessage): ClientInfo {
  return { userAgent: req.headers['user-agent'], ip: req.socket?.remoteAddress };
}

/** Ends the response with the headers the commit asks for. */
function endWith(res: ServerResponse, end: (...args: unknown[]) => unknown, args: unknown[], headers: Record<string, string> | null): void {
  if (headers && res.headersSent) debug('a new token could not be sent: the response headers were already sent');
  else if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  end.apply(res, args);
}

function sendReply(res: ServerResponse, reply: HttpReply): void {
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(reply.body));
}

export default nodeMiddleware;
