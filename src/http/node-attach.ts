import { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How the Node middleware puts `req.tokenSession` on a request and holds `res.end` until the
 * commit is done, at the least cost per request.
 *
 * Express gives `req` and `res` a new prototype on every request (`app.request`,
 * `app.response`). After that, V8 builds a fresh hidden class for each property added to
 * them: about 20,000 instructions (5 µs) per property, measured with callgrind. Bare Express
 * pays that for its own properties, and a session middleware that sets `req.tokenSession` and
 * wraps `res.end` would pay it twice more on every request. So when a request's prototype is a
 * framework's (Express's shared `request` and `response` objects, below every app's), nothing
 * is added to `req` or `res`: the handle and the pending commit are kept in WeakMaps, read
 * through a `tokenSession` accessor and an `end` method put once on those shared objects.
 * Sub-apps share them too. Plain Node requests keep own properties, which cost nothing there.
 */

/** The commit to run before the response goes: `end` is the real one, called once it is done. */
export type EndAfterCommit = (res: ServerResponse, end: (...args: unknown[]) => unknown, args: unknown[]) => unknown;

const handles = new WeakMap<object, unknown>();
const pendingCommits = new WeakMap<ServerResponse, EndAfterCommit>();
/** A request's or response's own prototype -> the shared object the accessors are on, or `null` to use own properties. */
const sharedBases = new WeakMap<object, object | null>();
const HANDLE = 'tokenSession';

/** Sets `req.tokenSession`. */
export function attachHandle(req: IncomingMessage, handle: unknown): void {
  const request = req as IncomingMessage & { [HANDLE]?: unknown };
  if (sharedBaseOf(req, IncomingMessage.prototype, installHandleAccessor) === null || Object.hasOwn(req, HANDLE)) {
    request[HANDLE] = handle;
  } else {
    handles.set(req, handle);
  }
}

/** Makes the next `res.end` run `endAfterCommit` first; a later call passes straight through. */
export function holdEnd(res: ServerResponse, endAfterCommit: EndAfterCommit): void {
  // An `end` some middleware before us already wrapped on this response, or a commit of another
  // token-session middleware already held, must run after ours: wrap the own property, outermost.
  if (sharedBaseOf(res, ServerResponse.prototype, installEnd) === null || Object.hasOwn(res, 'end') || pendingCommits.has(res)) {
    const end = res.end as (...args: unknown[]) => unknown;
    let held = true;
    res.end = function endOnceCommitted(this: ServerResponse, ...args: unknown[]) {
      if (!held) return end.apply(this, args);
      held = false;
      return endAfterCommit(res, end, args);
    } as ServerResponse['end'];
  } else {
    pendingCommits.set(res, endAfterCommit);
  }
}

/**
 * The object just below Node's own prototype in `target`'s chain, with our accessor on it
 * (installed the first time), or `null` when `target` is a plain Node object or the shared
 * object already has a property of that name that is not ours.
 */
function sharedBaseOf(target: object, nodePrototype: object, install: (base: object) => boolean): object | null {
  const own = Object.getPrototypeOf(target) as object | null;
  if (own === null) return null;
  let base = sharedBases.get(own);
  if (base === undefined) {
    base = findBase(own, nodePrototype);
    if (base !== null && !install(base)) base = null;
    sharedBases.set(own, base);
  }
  return base;
}

function findBase(own: object, nodePrototype: object): object | null {
  if (own === nodePrototype) return null;
  for (let proto = own; proto !== null; proto = Object.getPrototypeOf(proto) as object) {
    if (Object.getPrototypeOf(proto) === nodePrototype) return proto;
  }
  return null;
}

function installHandleAccessor(base: object): boolean {
  return defineOnce(base, HANDLE, {
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

/** The accessors this copy of the module installed: another copy's read other WeakMaps. */
const ours = new WeakSet<object>();

/** Defines `name` on `base` unless it has one already: ours (fine) or anyone else's (left alone: `false`). */
function defineOnce(base: object, name: string, descriptor: PropertyDescriptor): boolean {
  const existing = Object.getOwnPropertyDescriptor(base, name);
  if (existing) return ours.has((existing.get ?? existing.value) as object);
  ours.add((descriptor.get ?? descriptor.value) as object);
  Object.defineProperty(base, name, { ...descriptor, configurable: true, enumerable: false });
  return true;
}
