// The Express 4 and 5 adapter: the Node adapter, attached through Express's shared prototypes, with Express's types.
// The root entry's types come with this entry's: `declare module 'token-session'` (typing SessionData)
// needs that module in the program, and an app may import only this entry (TS2664 otherwise).
/// <reference path="../src/index.ts" preserve="true" />
import type { RequestHandler } from 'express';
import { IncomingMessage, ServerResponse } from 'node:http';
import { assertFactoryCall, type ClientInfo, type MiddlewareOptions, type RouteRequirement, type SessionData, type TokenSessionHandle } from '../src/adapter';
import { nodeMiddleware, ownProperties, type EndAfterCommit, type NodeAttachment } from './node';

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
  /** A guard for one route: `app.post(path, sessions.required({ maxAuthAge: 60 }), handler)` also wants a sign-in at most 60 s old. */
  required(requirement: RouteRequirement): RequestHandler;
}

/**
 * Makes the middleware: `app.use(expressTokenSession(options))`.
 * @param notAMiddleware Never passed: the guard against `app.use(expressTokenSession)`, the
 * factory itself as the middleware. Express would take it for an error handler,
 * `(err, req, res, next)`, and `req` cannot be `never`: a type error under `strict`, and at run
 * time an `ERR_OPTIONS` that names the fix.
 */
export function expressTokenSession(options?: MiddlewareOptions, notAMiddleware?: never): ExpressTokenSession {
  assertFactoryCall('expressTokenSession', notAMiddleware);
  return nodeMiddleware(options, sharedPrototypes, expressClient) as unknown as ExpressTokenSession;
}

/** Who made a session (the `metadata` option): `req.ip`, which Express's `trust proxy` setting decides. */
function expressClient(req: IncomingMessage): ClientInfo {
  return { userAgent: req.headers['user-agent'], ip: (req as IncomingMessage & { ip?: string }).ip };
}

/*
 * Express gives `req` and `res` a new prototype on every request (`app.request`, `app.response`),
 * and V8 then builds a fresh hidden class for every property added to them (BENCHMARKS.md,
 * "Why the Express path adds no property"). So nothing is added: the handle and the held commit
 * live in WeakMaps, read through a `tokenSession` accessor and an `end` method put once on the
 * shared objects below every app's prototypes (sub-apps share them too). Where that cannot be
 * done (a plain Node object, a name someone else took, an `end` another middleware wrapped, a
 * commit of another token-session already held), own properties are used.
 */
const handles = new WeakMap<object, unknown>();
const pendingCommits = new WeakMap<ServerResponse, EndAfterCommit>();
/** A request's or response's own prototype -> the shared object our accessors are on, or `null`: use own properties. */
const sharedBases = new WeakMap<object, object | null>();
/** The accessors this copy of the module installed: another copy's read other WeakMaps. */
const ours = new WeakSet<object>();

const sharedPrototypes: NodeAttachment = {
  attachHandle(req, handle) {
    if (sharedBaseOf(req, IncomingMessage.prototype, installHandleAccessor) === null || Object.hasOwn(req, 'tokenSession')) ownProperties.attachHandle(req, handle);
    else handles.set(req, handle);
  },
  holdEnd(res, endAfterCommit) {
    // An `end` wrapped before us, or another commit already held, must run after ours: outermost, as an own property.
    if (sharedBaseOf(res, ServerResponse.prototype, installEnd) === null || Object.hasOwn(res, 'end') || pendingCommits.has(res)) ownProperties.holdEnd(res, endAfterCommit);
    else pendingCommits.set(res, endAfterCommit);
  },
};

/** The object just below Node's own prototype in `target`'s chain, with our property on it (installed the first time), or `null`. */
function sharedBaseOf(target: object, nodePrototype: object, install: (base: object) => boolean): object | null {
  const own = Object.getPrototypeOf(target) as object | null;
  if (own === null) return null;
  let base = sharedBases.get(own);
  if (base === undefined) {
    base = own === nodePrototype ? null : baseBelow(own, nodePrototype);
    if (base !== null && !install(base)) base = null;
    sharedBases.set(own, base);
  }
  return base;
}

function baseBelow(own: object, nodePrototype: object): object | null {
  for (let proto = own; proto !== null; proto = Object.getPrototypeOf(proto) as object) {
    if (Object.getPrototypeOf(proto) === nodePrototype) return proto;
  }
  return null;
}

function installHandleAccessor(base: object): boolean {
  return defineOnce(base, 'tokenSession', {
    get(this: object) {
      return handles.get(this);
    },
    set(this: object, value: unknown) {
      handles.set(this, value);
    },
  });
}

function installEnd(base: object): boolean {
  return defineOnce(base, 'end', {
    value: function end(this: ServerResponse, ...args: unknown[]) {
      const inner = (Object.getPrototypeOf(base) as ServerResponse).end as (...a: unknown[]) => unknown;
      const endAfterCommit = pendingCommits.get(this);
      if (endAfterCommit === undefined) return inner.apply(this, args);
      pendingCommits.delete(this);
      return endAfterCommit(this, inner, args);
    },
    writable: true,
  });
}

/** Defines `name` on `base` unless it has one already: ours (fine) or anyone else's (left alone: `false`). */
function defineOnce(base: object, name: string, descriptor: PropertyDescriptor): boolean {
  const existing = Object.getOwnPropertyDescriptor(base, name);
  if (existing) return ours.has((existing.get ?? existing.value) as object);
  ours.add((descriptor.get ?? descriptor.value) as object);
  Object.defineProperty(base, name, { ...descriptor, configurable: true, enumerable: false });
  return true;
}
