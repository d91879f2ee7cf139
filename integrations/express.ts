import type { RequestHandler } from 'express';
import { nodeMiddleware, type MiddlewareOptions, type SessionData, type TokenSessionHandle } from '../src';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** This request's session (token-session). */
      tokenSession: TokenSessionHandle<SessionData>;
    }
  }
}

/** `app.use(expressTokenSession(options))`; guard one route with `app.get(path, sessions.requireSession, handler)`. */
export interface ExpressTokenSession extends RequestHandler {
  requireSession: RequestHandler;
}

/**
 * Express 4 and 5. Express's request and response are Node's, so the Node middleware does all
 * the work; this module adds Express's types.
 */
export function expressTokenSession(options?: MiddlewareOptions): ExpressTokenSession {
  return nodeMiddleware(options) as unknown as ExpressTokenSession;
}

export default expressTokenSession;
