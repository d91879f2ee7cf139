import type { Lifecycle, Plugin, Request, ResponseObject, ResponseToolkit } from '@hapi/hapi';
import {
  andThen, HttpLifecycle, errorReply, isPromise, type Maybe, type HttpReply, type MiddlewareOptions, type RequestSession, type SessionData,
  type TokenSessionHandle,
} from '../src';

declare module '@hapi/hapi' {
  interface Request {
    /** This request's session (token-session). */
    tokenSession: TokenSessionHandle<SessionData>;
  }
  interface PluginSpecificConfiguration {
    /** Per route: `options: { plugins: { 'token-session': { required: true } } }` answers 401 without a session. */
    'token-session'?: { required?: boolean };
  }
}

/** Hapi 21: load at `onPreAuth`, commit at `onPreResponse`. */
export const hapiTokenSession: Plugin<MiddlewareOptions | undefined> = {
  name: 'token-session',
  register(server, options) {
    const lifecycle = new HttpLifecycle(options);

    // Plain (not async) methods: with an in-memory store both answer at once, without a promise.
    server.ext('onPreAuth', function loadTokenSession(request: Request, h: ResponseToolkit) {
      return orErrorReply(h, andThen(lifecycle.open(request.raw.req), (session) => {
        request.tokenSession = session;
        const refusal = lifecycle.unauthorized(session, () => request.route.settings.plugins?.['token-session']?.required);
        return refusal ? respond(h, refusal) : h.continue;
      }));
    });

    server.ext('onPreResponse', function commitTokenSession(request: Request, h: ResponseToolkit) {
      const session = request.tokenSession as RequestSession | undefined;
      if (!session) return h.continue;
      return orErrorReply(h, andThen(lifecycle.commit(session), (headers) => {
        if (headers) addHeaders(request.response, headers);
        return h.continue;
      }));
    });
  },
};

/** A store failure becomes a 503 (or 500) response; hapi would make any thrown error a 500. */
function orErrorReply(h: ResponseToolkit, result: Maybe<Lifecycle.ReturnValueTypes>): Maybe<Lifecycle.ReturnValueTypes> {
  return isPromise(result) ? result.catch((err: unknown) => respond(h, errorReply(err))) : result;
}

function addHeaders(response: Request['response'], headers: Record<string, string>): void {
  if ('isBoom' in response && response.isBoom) Object.assign(response.output.headers, headers);
  else for (const [name, value] of Object.entries(headers)) (response as ResponseObject).header(name, value);
}

function respond(h: ResponseToolkit, reply: HttpReply): Lifecycle.ReturnValueTypes {
  const response = h.response(reply.body).code(reply.status);
  for (const [name, value] of Object.entries(reply.headers)) response.header(name, value);
  return response.takeover();
}

export default hapiTokenSession;
