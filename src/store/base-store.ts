// TokenSession.Store: the base class express-session store factories subclass.
import { EventEmitter } from 'node:events';
import { inherits } from 'node:util';

/**
 * The base class that express-session-style store factories subclass, exposed as
 * `TokenSession.Store`, so `require('session-memory-store')(TokenSession)` works.
 *
 * It is a plain constructor function on purpose: store factories subclass it the old way
 * (`Store.call(this, options)` + `util.inherits`), and calling an ES class without `new`
 * throws "Class constructor cannot be invoked without 'new'". Modern stores may still
 * `class X extends Store`, which works with a function too.
 */
export interface Store extends EventEmitter {}

export interface StoreConstructor {
  new (options?: unknown): Store;
  (this: Store, options?: unknown): void;
  prototype: Store;
}

export const Store = function Store(this: Store) {
  EventEmitter.call(this);
} as unknown as StoreConstructor;

inherits(Store, EventEmitter);
