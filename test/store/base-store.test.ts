// TokenSession.Store, as old-style store factories subclass it.
import { EventEmitter } from 'node:events';
import { inherits } from 'node:util';
import sessionMemoryStore = require('session-memory-store');
import memorystore = require('memorystore');
import { Store, TokenSession } from '../../src';

test('TokenSession.Store is the exported Store, an EventEmitter', () => {
  expect(TokenSession.Store).toBe(Store);
  const store = new Store();
  expect(store).toBeInstanceOf(EventEmitter);
});

test('old-style subclassing works: Store.call(this) + util.inherits', () => {
  function LegacyStore(this: InstanceType<typeof Store> & { opts: unknown }, opts: unknown) {
    Store.call(this, opts);
    this.opts = opts;
  }
  inherits(LegacyStore, Store);
  const store = new (LegacyStore as unknown as new (o: unknown) => InstanceType<typeof Store> & { opts: unknown })({ x: 1 });
  expect(store).toBeInstanceOf(Store);
  expect(store.opts).toEqual({ x: 1 });
  const heard = jest.fn();
  store.on('connect', heard);
  store.emit('connect');
  expect(heard).toHaveBeenCalledTimes(1);
});

test('class syntax subclassing works too', () => {
  class ModernStore extends Store {}
  expect(new ModernStore()).toBeInstanceOf(EventEmitter);
});

test('store factories accept TokenSession in express-session\'s place', () => {
  const SessionMemoryStore = sessionMemoryStore(TokenSession);
  const smStore = new SessionMemoryStore();
  expect(smStore).toBeInstanceOf(Store);
  smStore['store'].close();

  const MemoryStore = memorystore(TokenSession as never);
  const mStore = new MemoryStore({});
  expect(mStore).toBeInstanceOf(Store);
  (mStore as unknown as { stopInterval(): void }).stopInterval();
});
