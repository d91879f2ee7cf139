// The Fastify 4 and 5 plugin: open in `onRequest`, commit in `onSend`, before the payload goes out.
// The root entry's types come with this entry's: `declare module 'token-session'` (typing SessionData)
// needs that module in the program, and an app may import only this entry (TS2664 otherwise).
/// <reference path="../src/index.ts" preserve="true" />
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpLifecycle, routeRequirement, type ClientInfo, type MiddlewareOptions, type RouteRequirement, type SessionData, type TokenSessionHandle } from '../src/adapter';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's session (token-session). */
    tokenSession: TokenSessionHandle<SessionData>;
  }
  interface FastifyContextConfig {
    /**
     * Per route: `config: { tokenSession: { required: true } }` answers 401 without a session;
     * `required: { maxAuthAge: 60 }` also when the sign-in is older than 60 s.
     */
    tokenSession?: { required?: RouteRequirement };
  }
}

const plugin: FastifyPluginAsync<MiddlewareOptions> = async function tokenSession(fastify, options) {
  // Who made a session (the `metadata` option): `request.ip`, which Fastify's `trustProxy` setting decides.
  const lifecycle = new HttpLifecycle(options, (request: FastifyRequest): ClientInfo => ({ userAgent: request.headers['user-agent'], ip: request.ip }));
  // Declared up front (a null placeholder) so Fastify keeps one request shape; set per request in onRequest.
  fastify.decorateRequest('tokenSession', null as never);

  // Callback-style hooks: with an in-memory store both finish at once, without a promise per hook.
  fastify.addHook('onRequest', function openTokenSession(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
    lifecycle.open(request.raw, (session) => {
      request.tokenSession = session;
      const refusal = lifecycle.unauthorized(session, () => routeConfig(request)?.tokenSession?.required);
      if (refusal) reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
      else done();
    }, done, request);
  });

  // A route that wants a recent sign-in gets a preHandler of its own: the others never read their config per request.
  fastify.addHook('onRoute', (route) => {
    const given = (route.config as { tokenSession?: { required?: unknown } } | undefined)?.tokenSession?.required;
    if (given === undefined) return;
    const required = routeRequirement(given);
    if (typeof required !== 'object') return;
    const preHandler = function requireRecentSignIn(request: FastifyRequest, reply: FastifyReply, done: () => void) {
      const refusal = lifecycle.unauthorized(request.tokenSession, required);
      if (refusal) reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
      else done();
    };
    route.preHandler = [...(route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]), preHandler] as never;
  });

  fastify.addHook('onSend', function commitTokenSession(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) {
    if (!request.tokenSession) return done(null, payload);
    lifecycle.commit(request.tokenSession, (headers) => {
      if (headers) reply.headers(headers);
      done(null, payload);
    }, done);
  });
};

/** Fastify 5 has `routeOptions.config`; Fastify 4 before 4.10 only `routeConfig`. */
function routeConfig(request: FastifyRequest): { tokenSession?: { required?: RouteRequirement } } | undefined {
  return request.routeOptions?.config ?? (request as unknown as { routeConfig?: never }).routeConfig;
}

export const tokenSessionPlugin = fp(plugin, { name: 'token-session', fastify: '4.x || 5.x' });
