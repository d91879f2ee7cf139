// The Hapi 21 plugin: open at `onPreAuth`, commit at `onPreResponse`.
// The root entry's types come with this entry's: `declare module 'token-session'` (typing SessionData)
// needs that module in the program, and an app may import only this entry (TS2664 otherwise).
/// <reference path="../src/index.ts" preserve="true" />
import type { Lifecycle, Plugin, Request, ResponseObject, ResponseToolkit } from '@hapi/hapi';
import { errorReply, HttpLifecycle, routeRequirement, type ClientInfo, type HttpReply, type MiddlewareOptions, type RouteRequirement, type SessionData, type TokenSessionHandle } from '../src/adapter';

declare module '@hapi/hapi' {
  interface Request {
    /** This request's session (token-session). */
    tokenSession: TokenSessionHandle<SessionData>;
  }
  interface PluginSpecificConfiguration {
    /**
     * Per route: `options: { plugins: { 'token-session': { required: true } } }` answers 401
     * without a session; `required: { maxAuthAge: 60 }` also when the sign-in is older than 60 s.
     */
    'token-session'?: { required?: RouteRequirement };
  }
}

export const hapiTokenSession: Plugin<MiddlewareOptions | undefined> = {
  name: 'token-session',
  register(server, options) {
    // Who made a session (the `metadata` option): Hapi's `request.info.remoteAddress`.
    const lifecycle = new HttpLifecycle(options, (request: Request): ClientInfo => ({ userAgent: request.headers['user-agent'] as string | undefined, ip: request.info.remoteAddress }));
    // Hapi makes any thrown error a 500; a store failure answers its own 503 (or 500) instead.
    const fail = (h: ResponseToolkit) => (err: Parameters<typeof errorReply>[0]) => respond(h, errorReply(err));

    // Plain (not async) methods: with an in-memory store both answer at once, without a promise.
    server.ext('onPreAuth', function openTokenSession(request: Request, h: ResponseToolkit) {
      return lifecycle.open(request.raw.req, (session) => {
        request.tokenSession = session;
        const refusal = lifecycle.unauthorized(session, requirementOf(request.route.settings));
        return refusal ? respond(h, refusal) : h.continue;
      }, fail(h), request);
    });

    server.ext('onPreResponse', function commitTokenSession(request: Request, h: ResponseToolkit) {
      if (!request.tokenSession) return h.continue;
      return lifecycle.commit(request.tokenSession, (headers) => {
        if (headers) addHeaders(request.response, headers);
        return h.continue;
      }, fail(h));
    });
  },
};

/** Each route's requirement, checked once, on its first request. */
const requirements = new WeakMap<object, RouteRequirement | undefined>();

function requirementOf(settings: Request['route']['settings']): RouteRequirement | undefined {
  if (requirements.has(settings)) return requirements.get(settings);
  const given = settings.plugins?.['token-session']?.required;
  const requirement = given === undefined ? undefined : routeRequirement(given);
  requirements.set(settings, requirement);
  return requirement;
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
