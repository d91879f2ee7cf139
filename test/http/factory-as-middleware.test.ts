// The factory mounted in place of the middleware it makes (`app.use(expressTokenSession)`): a 500 whose error, on the framework's own error path, names the fix.
import type { ErrorRequestHandler } from 'express';
import Koa from 'koa';
import { Hono } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import request from 'supertest';
import { isTokenSessionError } from '../../src';
import { expressTokenSession } from '../../integrations/express';
import { koaTokenSession } from '../../integrations/koa';
import { honoTokenSession } from '../../integrations/hono';

/**
 * A request to `app` answers 500 without reaching the handler, and what the framework's error
 * path received (`seen`) is one TokenSessionError, ERR_OPTIONS, that says how to mount `factory`.
 */
async function expectRefused(app: Parameters<typeof request>[0], seen: unknown[], factory: string): Promise<void> {
  const response = await request(app).get('/');
  expect(response.status).toBe(500);
  expect(response.text).not.toContain('the handler ran');
  expect(seen).toHaveLength(1);
  const [err] = seen;
  expect(isTokenSessionError(err)).toBe(true);
  expect(err).toMatchObject({ code: 'ERR_OPTIONS' });
  expect((err as Error).message).toContain(`write app.use(${factory}()), not app.use(${factory})`);
}

describe.each(['express', 'express4'])('%s: app.use(expressTokenSession)', (expressModule) => {
  test("answers 500 through Express's own final handler, which gets an ERR_OPTIONS naming the fix", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const express = require(expressModule) as typeof import('express');
    const app = express();
    const seen: unknown[] = [];
    // Cast past the type error the factory's `never` parameter makes: this is the mistake under test.
    app.use(expressTokenSession as never);
    app.get('/', (_req, res) => void res.send('the handler ran'));
    const record: ErrorRequestHandler = (err, _req, _res, next) => {
      seen.push(err);
      next(err);
    };
    app.use(record);
    await expectRefused(app, seen, 'expressTokenSession');
  });
});

test("koa: app.use(koaTokenSession) answers 500, and Koa's 'error' event gets an ERR_OPTIONS naming the fix", async () => {
  const app = new Koa();
  const seen: unknown[] = [];
  app.on('error', (err: unknown) => seen.push(err));
  app.use(koaTokenSession as never);
  app.use((ctx) => {
    ctx.body = 'the handler ran';
  });
  await expectRefused(app.callback(), seen, 'koaTokenSession');
});

test("hono: app.use(honoTokenSession) answers 500 from Hono's own onError, and c.error is an ERR_OPTIONS naming the fix", async () => {
  const app = new Hono();
  const seen: unknown[] = [];
  // Hono sets c.error to what its onError answered, for the middleware outside it to see.
  app.use(async (c, next) => {
    await next();
    seen.push(c.error);
  });
  app.use(honoTokenSession as never);
  app.get('/', (c) => c.text('the handler ran'));
  // Hono's default onError prints the error it answers.
  const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    await expectRefused(createAdaptorServer({ fetch: app.fetch }) as Server, seen, 'honoTokenSession');
  } finally {
    printed.mockRestore();
  }
});
