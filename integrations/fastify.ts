import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  HttpLifecycle, withHttpStatus, type MiddlewareOptions, type RequestSession, type SessionData,
  type TokenSessionHandle,
} from '../src';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's session (token-session). */
    tokenSession: TokenSessionHandle<SessionData>;
  }
  interface FastifyContextConfig {
    /** Per route: `config: { tokenSession: { required: true } }` answers 401 without a session. */
    tokenSession?: { required?: boolean };
  }
}

/** Fastify 4 and 5: load in `onRequest`, commit in `onSend`, before the payload goes out. */
const plugin: FastifyPluginAsync<MiddlewareOptions> = async function tokenSession(fastify, options) {
  const lifecycle = new HttpLifecycle(options);
  // Declared up front (a null placeholder) so Fastify keeps one request shape; set per request in onRequest.
  fastify.decorateRequest('tokenSession', null as never);

  fastify.addHook('onRequest', async function loadTokenSession(request: FastifyRequest, reply: FastifyReply) {
    const session = await Promise.resolve(lifecycle.open(request.raw)).catch(rethrowWithStatus);
    request.tokenSession = session;
    const required = routeConfig(request)?.tokenSession?.required ?? lifecycle.settings.required;
    const refusal = lifecycle.unauthorized(session, required);
    if (refusal) return reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
  });

  fastify.addHook('onSend', async function commitTokenSession(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    if (request.tokenSession) {
      const headers = await Promise.resolve(lifecycle.commit(request.tokenSession as RequestSession)).catch(rethrowWithStatus);
      if (headers) reply.headers(headers);
    }
    return payload;
  });
};

/** Fastify 5 has `routeOptions.config`; Fastify 4 before 4.10 only `routeConfig`. */
function routeConfig(request: FastifyRequest): { tokenSession?: { required?: boolean } } | undefined {
  return request.routeOptions?.config ?? (request as unknown as { routeConfig?: never }).routeConfig;
}

function rethrowWithStatus(err: unknown): never {
  throw withHttpStatus(err);
}

export const tokenSessionPlugin = fp(plugin, { name: 'token-session', fastify: '4.x || 5.x' });
export default tokenSessionPlugin;
