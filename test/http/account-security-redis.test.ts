// The handle's account-security members on every adapter with redisIndex on a real redis-server: log out other devices, a cap per owner, a fresh sign-in.
import { randomUUID } from 'node:crypto';
import { RedisStore } from 'connect-redis';
import { createClient, type RedisClientType } from 'redis';
import request from 'supertest';
import { redisIndex, TokenSession, type ExpressSessionStore } from '../../src';
import { ADAPTERS, type AdapterName, type RunningApp } from '../helpers/apps';
import { describeWith, redisUrl } from '../helpers/real-servers';

const HEADER = 'x-session-token';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWith('redis', 'account security with redisIndex and connect-redis', () => {
  let client: RedisClientType;
  let app: RunningApp;

  beforeAll(async () => {
    client = createClient({ url: redisUrl! }) as RedisClientType;
    await client.connect();
  });
  afterAll(() => client.destroy());
  afterEach(() => app?.close());

  describe.each(Object.keys(ADAPTERS) as AdapterName[])('%s', (adapter) => {
    async function start(options: Record<string, unknown> = {}) {
      const prefix = `ts-account:${randomUUID()}:`;
      const store = new RedisStore({ client, prefix: `${prefix}sess:` }) as unknown as ExpressSessionStore;
      const sessions = new TokenSession<any>({ store, index: redisIndex(client, { prefix }), ownerKey: 'user', ...options });
      app = await ADAPTERS[adapter]({ sessions });
      const http = request.agent(app.url);
      const login = async (user: string) => (await http.post(`/login?user=${user}`).expect(200)).body.token as string;
      return { http, login, sessions };
    }

    test('destroyOthers() ends the owner\'s other sessions in every process\'s view, and keeps this one', async () => {
      const { http, login } = await start();
      const [phone, laptop] = [await login('ana'), await login('ana')];
      const bo = await login('bo');
      await http.post('/logout-others').set(HEADER, phone).expect(200, { ended: 1 });
      await http.get('/session').set(HEADER, laptop).expect(200, { id: null, data: {}, status: 'unknown' });
      for (const kept of [phone, bo]) expect((await http.get('/session').set(HEADER, kept).expect(200)).body.status).toBe('live');
    });

    test('maxSessionsPerOwner ends the oldest sign-in', async () => {
      const { http, login } = await start({ maxSessionsPerOwner: 1 });
      const first = await login('ana');
      await sleep(5);
      const second = await login('ana');
      await http.get('/session').set(HEADER, first).expect(200, { id: null, data: {}, status: 'unknown' });
      expect((await http.get('/session').set(HEADER, second).expect(200)).body.status).toBe('live');
    });

    test('required: { maxAuthAge } and reauthenticate()', async () => {
      const { http, login } = await start();
      const token = await login('ana');
      await sleep(1100);
      expect((await http.post('/change-password').set(HEADER, token).expect(401)).headers['www-authenticate']).toContain('insufficient_user_authentication');
      const fresh = (await http.post('/reauthenticate').set(HEADER, token).expect(200)).body.token as string;
      await http.post('/change-password').set(HEADER, fresh).expect(200);
    });
  });
});
