// The record a store receives from token-session, held against the one express-session itself hands the same store.
import express from 'express';
import session, { Store, type SessionData } from 'express-session';
import request from 'supertest';
import { expressTokenSession } from '../../integrations/express';
import type { ExpressSessionStore } from '../../src';
import { RecordCookie } from '../../src/store/record';

/**
 * A real express-session Store (its own base class) that keeps JSON, as its MemoryStore does,
 * and keeps every value `set` and `touch` were handed, as handed.
 */
class RecordingStore extends Store {
  readonly handed: Array<{ call: 'set' | 'touch'; value: any }> = [];
  readonly #json = new Map<string, string>();

  get(sid: string, callback: (err: unknown, value?: SessionData | null) => void): void {
    const json = this.#json.get(sid);
    callback(null, json === undefined ? null : JSON.parse(json));
  }

  set(sid: string, value: SessionData, callback?: (err?: unknown) => void): void {
    this.handed.push({ call: 'set', value });
    this.#json.set(sid, JSON.stringify(value));
    callback?.();
  }

  override touch(sid: string, value: SessionData, callback?: () => void): void {
    this.handed.push({ call: 'touch', value });
    callback?.();
  }

  destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.#json.delete(sid);
    callback?.();
  }

  lastSet(): any {
    return this.handed.filter((entry) => entry.call === 'set').at(-1)!.value;
  }
}

const TTL_MS = 600_000;
const DATA = { user: 'ana', cart: ['apple'] };
const CHANGED = { user: 'ana', cart: ['apple', 'pear'] };

/** express-session, keeping in its session the fields token-session's record has at its top level. */
async function throughExpressSession(): Promise<{ created: any; changed: any }> {
  const store = new RecordingStore();
  const app = express();
  app.use(session({ secret: 'test', store, resave: false, saveUninitialized: false, cookie: { maxAge: TTL_MS } }));
  app.post('/login', (req, res) => {
    Object.assign(req.session, { data: structuredClone(DATA), createdAt: Date.now() });
    res.json({});
  });
  app.post('/cart', (req, res) => {
    (req.session as any).data.cart.push('pear');
    res.json({});
  });
  const agent = request.agent(app);
  await agent.post('/login').expect(200);
  const created = store.lastSet();
  await agent.post('/cart').expect(200);
  return { created, changed: store.lastSet() };
}

async function throughTokenSession(): Promise<{ created: any; changed: any }> {
  const store = new RecordingStore();
  const app = express();
  app.use(expressTokenSession({ store: store as unknown as ExpressSessionStore, ttl: TTL_MS / 1000 }));
  app.post('/login', (req, res) => {
    res.json({ token: req.tokenSession.create(structuredClone(DATA)) });
  });
  app.post('/cart', (req, res) => {
    (req.tokenSession.data as { cart: string[] }).cart.push('pear');
    res.json({});
  });
  const { body } = await request(app).post('/login').expect(200);
  const created = store.lastSet();
  await request(app).post('/cart').set('x-session-token', body.token).expect(200);
  return { created, changed: store.lastSet() };
}

/** The record's JSON, with its two times (which differ by the milliseconds between the runs) checked and set aside. */
function jsonWithoutTimes(record: any): unknown {
  const json = JSON.parse(JSON.stringify(record));
  expect(Math.abs(Date.parse(json.cookie.expires) - Date.now() - TTL_MS)).toBeLessThan(5000);
  expect(Math.abs(json.createdAt - Date.now())).toBeLessThan(5000);
  return { ...json, createdAt: 'time', cookie: { ...json.cookie, expires: 'time' } };
}

/** Every field of a cookie a store can read, with the type it has. */
function cookieTypes(cookie: any): Record<string, string> {
  const fields = [...Object.keys(cookie), 'expires', 'maxAge', 'originalMaxAge', 'toJSON'];
  return Object.fromEntries(fields.map((field) => [field, cookie[field] instanceof Date ? 'Date' : typeof cookie[field]]));
}

describe('the record a store receives, against express-session', () => {
  let ours: { created: any; changed: any };
  let theirs: { created: any; changed: any };

  beforeAll(async () => {
    ours = await throughTokenSession();
    theirs = await throughExpressSession();
  });

  for (const moment of ['created', 'changed'] as const) {
    test(`when the session is ${moment}: the same keys, the same types, the same JSON`, () => {
      const [record, expected] = [ours[moment], theirs[moment]];
      expect(Object.keys(record)).toEqual(Object.keys(expected));
      expect(Object.keys(record.cookie)).toEqual(Object.keys(expected.cookie));
      expect(cookieTypes(record.cookie)).toEqual(cookieTypes(expected.cookie));
      expect(record.cookie.expires).toBeInstanceOf(Date);
      // express-session reads a new cookie's originalMaxAge off the clock (expires - now): one ms short when the clock ticked.
      expect([record.cookie.originalMaxAge, record.cookie.originalMaxAge - 1]).toContain(expected.cookie.originalMaxAge);
      expect(Math.abs(record.cookie.maxAge - expected.cookie.maxAge)).toBeLessThan(5000);
      expect(JSON.stringify(record.cookie.toJSON())).toBe(JSON.stringify(record.cookie));
      expect(jsonWithoutTimes(record)).toEqual(jsonWithoutTimes(expected));
      expect(Object.keys(JSON.parse(JSON.stringify(record.cookie)))).toEqual(Object.keys(JSON.parse(JSON.stringify(expected.cookie))));
    });
  }

  test('the data change reaches the store as a full record, rebuilt from the JSON the store gave back', () => {
    expect(ours.changed.data).toEqual(CHANGED);
    expect(ours.changed.cookie.expires).toBeInstanceOf(Date);
    expect(ours.changed.createdAt).toBe(ours.created.createdAt);
  });
});

describe("the record's cookie, set as a store or a hackttl may set it, against express-session's Cookie", () => {
  // express-session's own Cookie class, as its session/cookie.js defines it.
  const ExpressCookie = require('express-session/session/cookie') as new (options: { maxAge: number }) => any;

  test.each([
    ['maxAge', (cookie: any) => (cookie.maxAge = 90_000)],
    ['expires', (cookie: any) => (cookie.expires = new Date(Date.now() + 90_000))],
  ])('setting %s moves the expiry and makes it the TTL, as in express-session', (_field, set) => {
    const ours = new RecordCookie(TTL_MS, Date.now() + TTL_MS);
    const theirs = new ExpressCookie({ maxAge: TTL_MS });
    set(ours);
    set(theirs);
    for (const cookie of [ours, theirs]) {
      expect(Math.abs(cookie.originalMaxAge - 90_000)).toBeLessThan(50);
      expect(Math.abs(cookie.expires.getTime() - Date.now() - 90_000)).toBeLessThan(50);
      expect(Math.abs(cookie.maxAge - 90_000)).toBeLessThan(50);
    }
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
  });
});
