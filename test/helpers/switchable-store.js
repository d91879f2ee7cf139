'use strict';
// A working store whose methods can be made to misbehave on demand, to test each failure point.
// Plain JavaScript, so that the jest suites and the child process of test/http/faults.test.ts
// (test/fixtures/faults.mjs, on the built package) use this one store. Types: switchable-store.d.ts.

/** Every way a method can misbehave. */
const FAULTS = ['errors', 'throws', 'never answers', 'errors, then answers again', 'answers after 100 ms'];

function switchableStore() {
  const map = new Map(); // JSON strings, so a stored object is never shared with the caller
  const working = {
    get: (key, callback) => {
      const json = map.get(key);
      setImmediate(callback, null, json === undefined ? null : JSON.parse(json));
    },
    set: (key, record, callback) => {
      map.set(key, JSON.stringify(record));
      setImmediate(callback, null);
    },
    destroy: (key, callback) => {
      map.delete(key);
      setImmediate(callback, null);
    },
  };
  const faults = new Map();
  const delays = new Map();
  const store = { map, faults, delays };
  for (const name of Object.keys(working)) {
    store[name] = (...args) => {
      const fault = faults.get(name);
      const delay = delays.get(name);
      if (fault === undefined && delay !== undefined) return void setTimeout(() => working[name](...args), delay);
      if (fault === undefined) return working[name](...args);
      const callback = args.pop();
      const refused = new Error(`${name}: connection refused`);
      switch (fault) {
        case 'errors':
          return void setImmediate(callback, refused);
        case 'throws':
          throw refused;
        case 'never answers':
          return undefined;
        case 'errors, then answers again':
          setImmediate(callback, refused);
          return working[name](...args, callback);
        case 'answers after 100 ms':
          return void setTimeout(() => working[name](...args, callback), 100);
        default:
          throw new Error(`unknown fault: ${fault}`);
      }
    };
  }
  return store;
}

module.exports = { FAULTS, switchableStore };
