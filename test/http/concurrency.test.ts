// Overlapping requests on one session, on every adapter and on real stores.
import request from 'supertest';
import { TokenSession, type ExpressSessionStore } from '../../src';
import { ADAPTERS, type AdapterName, type RunningApp } from '../helpers/apps';
import { COMPAT_STORES, type CompatStore } from '../helpers/compat-stores';
import { describeWith } from '../helpers/real-servers';

/**
 * Requests on one session that overlap: each route waits `?wait=ms` after the session is
 * loaded, so a slow request commits after a fast one that started later.
 */
const HEADER = 'x-session-token';

function suite(adapter: AdapterName, openStore: () => Promise<CompatStore>): void {
  let app: RunningApp;
  let backend: CompatStore;
  let sessions: TokenSession<any>;
  let http: request.Agent;
  let token: string;

  beforeEach(async () => {
    backend = await openStore();
    sessions = new TokenSession({ store: backend.store as ExpressSessionStore });
    app = await ADAPTERS[adapter]({ sessions });
    http = request.agent(app.url);
    token = (await http.post('/login?user=ana').expect(200)).body.token;
  });

  afterEach(async () => {
    await app.close();
    await backend.close();
  });

  const post = (path: string) => http.post(path).set(HEADER, token);
  /**
   * Sends a slow request now (supertest sends only once awaited) and gives it time to load the
   * session; `answer` is its response to come (in an object, or `await` would wait for it too).
   */
  async function inFlight(path: string): Promise<{ answer: Promise<request.Response> }> {
    const answer = post(path).then((res) => res);
    await new Promise((done) => setTimeout(done, 40));
    return { answer };
  }
  const stored = () => sessions.getNotTouch(token);

  test('10 concurrent requests, each setting its own key: every key is kept', async () => {
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    // All ten load the session before the first commits; they commit in a shuffled order.
    const answers = await Promise.all(keys.map((key, i) => post(`/set?key=${key}&value=${i}&wait=${100 + ((i * 7) % 10) * 5}`).then((res) => res)));
    for (const res of answers) expect(res.status).toBe(200);
    expect(await stored()).toEqual({ user: 'ana', count: 0, ...Object.fromEntries(keys.map((key, i) => [key, String(i)])) });
  });

  test('a change that finishes after a logout does not bring the session back', async () => {
    const { answer: slowChange } = await inFlight('/set?key=late&value=1&wait=150');
    await post('/logout').expect(200);
    expect((await slowChange).status).toBe(200);
    expect(await stored()).toBeNull();
    const after = await http.get('/session').set(HEADER, token).expect(200);
    expect(after.body.status).toBe('unknown');
  });

  test('a touch committed after another request changed the session keeps that change', async () => {
    const { answer: slowTouch } = await inFlight('/touch?wait=150');
    await post('/set?key=fresh&value=yes').expect(200);
    expect((await slowTouch).status).toBe(200);
    expect(await stored()).toEqual({ user: 'ana', count: 0, fresh: 'yes' });
  });

  test('a touch committed after a logout does not bring the session back', async () => {
    const { answer: slowTouch } = await inFlight('/touch?wait=150');
    await post('/logout').expect(200);
    expect((await slowTouch).status).toBe(200);
    expect(await stored()).toBeNull();
  });

  test('a regenerate committed after a logout leaves neither token alive', async () => {
    const { answer: slowRegenerate } = await inFlight('/regenerate?wait=150');
    await post('/logout').expect(200);
    const regenerated = await slowRegenerate;
    expect(regenerated.status).toBe(200);
    const newToken = regenerated.body.token as string;
    expect(await stored()).toBeNull();
    expect(await sessions.getNotTouch(newToken)).toBeNull();
  });

  test('two requests changing the same key: the one that commits last wins', async () => {
    const { answer: slow } = await inFlight('/set?key=colour&value=red&wait=150');
    await post('/set?key=colour&value=blue').expect(200);
    expect((await slow).status).toBe(200);
    expect(await stored()).toMatchObject({ colour: 'red' });
  });
}

const memoryStore = COMPAT_STORES.find((s) => s.name === 'session-memory-store')!;

describe.each(Object.keys(ADAPTERS) as AdapterName[])('%s on session-memory-store', (adapter) => {
  suite(adapter, () => memoryStore.open());
});

for (const server of ['redis', 'postgres'] as const) {
  const factory = COMPAT_STORES.find((s) => s.needs === server)!;
  describeWith(server, `express and fastify on ${factory.name}`, () => {
    describe.each(['express', 'fastify'] as AdapterName[])('%s', (adapter) => {
      suite(adapter, () => factory.open());
    });
  });
}
