// A write that redisStore or pgStore cannot make in time (Redis pausing writes, a PostgreSQL row locked elsewhere): the request answers 503, never 200, and what is stored is the whole change or none of it.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { Pool } from 'pg';
import { createClient } from 'redis';
import request from 'supertest';
import { TokenSession, type ExpressSessionStore } from '../../src';
import { expressTokenSession } from '../../integrations/express';
import { pgStore } from '../../stores/pg';
import { redisStore } from '../../stores/redis';
import { describeWith, postgresUrl, redisUrl } from '../helpers/real-servers';
import { storeKeyOfToken } from '../helpers/store-keys';

const STORE_TIMEOUT = 300;

/** The counter app of the benchmark, with errors answered with their status. */
function counterApp(store: ExpressSessionStore) {
  const app = express();
  app.use(expressTokenSession({ sessions: new TokenSession<{ count: number }>({ store, storeTimeout: STORE_TIMEOUT }) }));
  app.post('/login', (req, res) => res.json({ token: req.tokenSession.create({ count: 0 }) }));
  app.get('/read', (req, res) => res.json(req.tokenSession.data));
  app.post('/write', (req, res) => res.json({ count: ((req.tokenSession.data as { count: number }).count += 1) }));
  app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => res.status(err.status ?? 500).json({}));
  return app;
}

async function writeWhileBlocked(app: express.Express, block: (token: string) => Promise<() => Promise<void>>) {
  const token = ((await request(app).post('/login').expect(200)).body as { token: string }).token;
  const unblock = await block(token);
  try {
    // The read still works; the write cannot be made in time.
    expect((await request(app).get('/read').set('x-session-token', token)).status).toBe(200);
    expect((await request(app).post('/write').set('x-session-token', token)).status).toBe(503);
  } finally {
    await unblock();
  }
  return token;
}

describeWith('redis', 'redisStore, while Redis pauses writes (CLIENT PAUSE WRITE)', () => {
  test('the write answers 503, never 200; afterwards the count is the old one or the whole change', async () => {
    const client = createClient({ url: redisUrl! });
    const admin = createClient({ url: redisUrl! });
    await Promise.all([client.connect(), admin.connect()]);
    try {
      const app = counterApp(redisStore({ client, prefix: `ts-fault:${randomUUID()}:` }));
      const token = await writeWhileBlocked(app, async () => {
        await admin.sendCommand(['CLIENT', 'PAUSE', String(STORE_TIMEOUT * 3), 'WRITE']);
        return async () => {
          await admin.sendCommand(['CLIENT', 'UNPAUSE']);
        };
      });
      // The timed-out script may still run once Redis unpauses: what it wrote is then the whole
      // change, never a part of it, and the next write builds on what is stored.
      const after = ((await request(app).get('/read').set('x-session-token', token).expect(200)).body as { count: number }).count;
      expect([0, 1]).toContain(after);
      expect((await request(app).post('/write').set('x-session-token', token).expect(200)).body).toEqual({ count: after + 1 });
    } finally {
      client.destroy();
      admin.destroy();
    }
  });
});

describeWith('postgres', 'pgStore, while another transaction holds the session\'s row', () => {
  test('the write answers 503, never 200; once the lock is gone the count is the old one or the whole change', async () => {
    const pool = new Pool({ connectionString: postgresUrl });
    const table = `ts_fault_${randomUUID().replaceAll('-', '')}`;
    try {
      const store = pgStore({ pool, table, createTable: true });
      const app = counterApp(store);
      const token = await writeWhileBlocked(app, async (token) => {
        const locker = await pool.connect();
        await locker.query('BEGIN');
        await locker.query(`SELECT 1 FROM ${table} WHERE sid = $1 FOR UPDATE`, [storeKeyOfToken(token)]);
        return async () => {
          await locker.query('ROLLBACK');
          locker.release();
        };
      });
      // The statement that waited for the lock ran once it was released: whole, or not at all.
      const after = ((await request(app).get('/read').set('x-session-token', token).expect(200)).body as { count: number }).count;
      expect([0, 1]).toContain(after);
      expect((await request(app).post('/write').set('x-session-token', token).expect(200)).body).toEqual({ count: after + 1 });
    } finally {
      await pool.end();
    }
  });
});
