import type { Lifecycle, Plugin, Request, ResponseObject, ResponseToolkit } from '@hapi/hapi';
import {
  HttpLifecycle, errorReply, type HttpReply, type MiddlewareOptions, type RequestSession, type SessionData,
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

    server.ext('onPreAuth', async function loadTokenSession(request: Request, h: ResponseToolkit) {
      let session: RequestSession;
      try {
        session = await lifecycle.open(request.raw.req);
      } catch (err) {
        return respond(h, errorReply(err));
      }
      request.tokenSession = session;
      const required = request.route.settings.plugins?.['token-session']?.required ?? lifecycle.settings.required;
      const refusal = lifecycle.unauthorized(session, required);
      return refusal ? respond(h, refusal) : h.continue;
    });

    server.ext('onPreResponse', async function commitTokenSession(request: Request, h: ResponseToolkit) {
      const session = request.tokenSession as RequestSession | undefined;
      if (!session) return h.continue;
      let headers: Record<string, string> | null;
      try {
        headers = await lifecycle.commit(session);
      } catch (err) {
        return respond(h, errorReply(err));
      }
      if (headers) addHeaders(request.response, headers);
      return h.continue;
    });
  },
};

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
