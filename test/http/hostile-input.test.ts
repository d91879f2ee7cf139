// What a hostile client controls (headers, query, body, token shape) never reaches the store unchecked.
import { connect } from 'node:net';
import fc from 'fast-check';
import request from 'supertest';
import { TokenSession, type MiddlewareOptions } from '../../src';
import { isTokenShaped } from '../../src/core/tokens';
import { ADAPTERS, type AdapterName, type RunningApp } from '../helpers/apps';
import { countCalls, fakeStore, type CallCounts } from '../helpers/fake-stores';

/**
 * Property tests: whatever a client puts where the token goes, every adapter answers "no
 * session" (or 401 on a guarded route, or Node's own 400/431 for what HTTP forbids), never a
 * 5xx; a malformed token never reaches the store; and the server keeps serving.
 */
const HEADER = 'x-session-token';

/** One request written byte for byte, past the checks an HTTP client library would make. */
function rawRequest(url: string, head: Buffer): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.end(Buffer.concat([head, Buffer.from('\r\n')]));
  });
}

const requestWithHeaders = (path: string, headerLines: Buffer[]): Buffer =>
  Buffer.concat([
    Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`),
    ...headerLines.map((line) => Buffer.concat([line, Buffer.from('\r\n')])),
  ]);

/** Token values a hostile client might send: any bytes, unicode, NUL, escapes, near-tokens, huge. */
const hostileValues = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 700 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'grapheme', maxLength: 80 }).map((text) => Buffer.from(text, 'utf8')),
  fc.constantFrom('abc\0def', 'abc%00def', '%2e%2e%2f', '../../etc/passwd', 'Bearer x', '{"$ne":null}', '[object Object]', ' ', 'A'.repeat(513), 'A'.repeat(20_000)).map((text) => Buffer.from(text, 'latin1')),
  fc.stringMatching(/^[A-Za-z0-9\-_.~+/=]{1,64}$/).map((text) => Buffer.from(text)),
);

describe.each(Object.keys(ADAPTERS) as AdapterName[])('%s', (adapter) => {
  let app: RunningApp | undefined;
  let calls: CallCounts;

  async function start(options: Record<string, unknown> = {}): Promise<RunningApp> {
    const store = fakeStore('sync callback');
    calls = countCalls(store);
    const engine = options['sessions'] ? {} : { store };
    app = await ADAPTERS[adapter]({ ...engine, ...options } as MiddlewareOptions);
    return app;
  }

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  test('any header value, any number of times: no session or Node\'s 400/431, and a lookup only for a well-formed token', async () => {
    const { url } = await start();
    await fc.assert(
      fc.asyncProperty(fc.array(hostileValues, { minLength: 1, maxLength: 3 }), fc.boolean(), async (values, guarded) => {
        const lookupsBefore = calls.get;
        const lines = values.map((value) => Buffer.concat([Buffer.from(`${HEADER}: `), value]));
        const res = await rawRequest(url, requestWithHeaders(guarded ? '/private' : '/session', lines));
        expect([200, 400, 401, 431]).toContain(res.status);
        if (res.status === 200) expect(['none', 'malformed', 'unknown']).toContain(JSON.parse(res.body).status);
        if (res.status === 401) expect(guarded).toBe(true);
        // Node trims the spaces and tabs around a header value (RFC 9110's OWS; not every Unicode
        // blank, as String#trim would: a leading 0xA0 stays); only one well-formed value may be looked up.
        const wellFormed = values.length === 1 && isTokenShaped(values[0]!.toString('latin1').replace(/^[ \t]+|[ \t]+$/g, ''));
        expect(calls.get - lookupsBefore).toBe(wellFormed && res.status !== 400 ? 1 : 0);
      }),
      // A value that once broke this test's own reading of Node's trimming: NBSP, then a well-formed "+".
      { numRuns: 60, examples: [[[Buffer.from([0xa0, 0x2b])], false]] },
    );
    const token = (await request(url).post('/login').expect(200)).body.token as string;
    await request(url).get('/session').set(HEADER, token).expect(200); // still serving
  }, 60_000);

  test('the query parameter (opted in): repeated, bracketed, encoded NUL or any text is no session, looked up only when well-formed', async () => {
    const { url } = await start({ query: 'token' });
    const param = fc.tuple(fc.constantFrom('token', 'token[]', 'token[a]', 'TOKEN', 'token%00'), fc.string({ maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(fc.array(param, { maxLength: 3 }), async (params) => {
        const lookupsBefore = calls.get;
        const query = params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
        const res = await request(url).get(`/session?${query}`);
        expect(res.status).toBe(200);
        const values = params.filter(([name]) => name === 'token').map(([, value]) => value);
        const wellFormed = values.length === 1 && isTokenShaped(values[0]);
        expect(res.body.status).toBe(wellFormed ? 'unknown' : values.length > 0 ? 'malformed' : 'none');
        expect(calls.get - lookupsBefore).toBe(wellFormed ? 1 : 0);
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  test('client JSON merged into the session by a naive handler: stored as its JSON, or a 500 with the session unchanged and no prototype touched', async () => {
    const sessions = new TokenSession<any>({ maxDataBytes: 600 });
    const { url } = await start({ sessions });
    const token = (await request(url).post('/login?user=ana').expect(200)).body.token as string;
    const hostileKey = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'));
    const clientJson = fc.oneof(
      fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }).map((value) => JSON.stringify(value)),
      fc.integer({ min: 60, max: 70 }).map((depth) => `{"deep":${'['.repeat(depth)}1${']'.repeat(depth)}}`),
      fc.string({ minLength: 600, maxLength: 800 }).map((big) => JSON.stringify({ big })),
      fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"__proto__":null}'),
    );
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).join();
    await fc.assert(
      fc.asyncProperty(clientJson, async (json) => {
        const before = await sessions.getNotTouch(token);
        const res = await request(url).post(`/merge?json=${encodeURIComponent(json)}`).set(HEADER, token);
        const after = await sessions.getNotTouch(token);
        if (res.status === 200) {
          // The same JSON object (key order aside: a commit writes the changed keys after the kept ones).
          expect(after).toEqual(JSON.parse(JSON.stringify(Object.assign({ ...before }, JSON.parse(json)))));
        } else {
          expect(res.status).toBe(500); // ERR_INVALID_DATA at commit, through the framework's error path
          expect(after).toEqual(before);
        }
        expect(Object.getOwnPropertyNames(Object.prototype).join()).toBe(prototypeKeys);
        expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  test('a public id (from list) and a token of another TokenSession open no session', async () => {
    const sessions = new TokenSession<any>({ ownerKey: 'user' });
    const { url } = await start({ sessions });
    const token = (await request(url).post('/login?user=ana').expect(200)).body.token as string;
    const { id } = (await sessions.list('ana'))[0]!;
    await request(url).get('/session').set(HEADER, id).expect(200, { id: null, data: {}, status: 'unknown' });
    const other = new TokenSession<any>();
    const { sid } = await other.new({ user: 'mallory' });
    await request(url).get('/session').set(HEADER, sid).expect(200, { id: null, data: {}, status: 'unknown' });
    await request(url).get('/session').set(HEADER, token).expect(200).expect((res) => expect(res.body.status).toBe('live'));
  });
});
