// The built package, as users load it: entries, exports, types; and the packed tarball, as npm would install it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packedProject } from './helpers/packed-project';

// The built package, as users load it (npm test builds first).
const root = join(__dirname, '..');
const node = (args: string[], cwd = root) => execFileSync(process.execPath, args, { cwd, encoding: 'utf8' }).trim();

/** `require('token-session')` is the class; these are its own properties, and the ESM entry's named exports. */
const userNames = ['Store', 'TokenSession', 'TokenSessionError', 'isTokenSessionError', 'memoryIndex', 'redisIndex', 'storeClass'];

/** Each adapter entry: its one export, as the README documents it, and what that is. */
const adapters = [
  ['express', 'expressTokenSession', 'function'],
  ['koa', 'koaTokenSession', 'function'],
  ['fastify', 'tokenSessionPlugin', 'function'],
  ['hapi', 'hapiTokenSession', 'object'],
] as const;

const script = `
  const sessions = new TokenSession();
  const { sid } = await sessions.new({ n: 1 });
  const data = await sessions.get(sid);
  console.log(JSON.stringify(data), typeof TokenSession.Store, typeof TokenSessionError);
`;

test('require() works', () => {
  const out = node(['-e', `const { TokenSession, TokenSessionError } = require('token-session');
    (async () => { ${script} })();`]);
  expect(out).toBe('{"n":1} function function');
});

test("require() is the class itself, as in 1.x: `new (require('token-session'))()`", () => {
  const out = node(['-e', `const TokenSession = require('token-session'); const { TokenSessionError } = TokenSession;
    (async () => { ${script} })();`]);
  expect(out).toBe('{"n":1} function function');
});

test('import works', () => {
  const out = node(['--input-type=module', '-e', `import { TokenSession, TokenSessionError } from 'token-session'; ${script}`]);
  expect(out).toBe('{"n":1} function function');
});

test('type declarations are built', () => {
  expect(existsSync(join(root, 'dist/src/index.d.ts'))).toBe(true);
});

test.each(['express', 'koa', 'fastify', 'hapi'])('token-session/%s loads no web framework', (name) => {
  const out = node(['-e', `
    const { [Object.keys(require('token-session/${name}'))[0]]: adapter } = require('token-session/${name}');
    const frameworks = Object.keys(require.cache).filter((path) =>
      /node_modules[\\\\/](express|express4|koa|fastify|fastify4|@hapi[\\\\/]hapi)[\\\\/]/.test(path));
    console.log(typeof adapter, JSON.stringify(frameworks));`]);
  expect(out).toMatch(/^(function|object) \[\]$/);
});

test.each(['redis', 'pg'])('token-session/%s loads no store client and no express-session: the app brings its own', (name) => {
  const out = node(['-e', `
    require('token-session/${name}');
    console.log(JSON.stringify(Object.keys(require.cache).filter((path) =>
      /node_modules[\\\\/](redis\\d?|@redis|ioredis|pg|express-session)[\\\\/]/.test(path))));`]);
  expect(out).toBe('[]');
});

test('the built type declarations have no errors of their own', () => {
  const consumer = join(root, 'test/fixtures/consumer.ts');
  let output = '';
  try {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16',
        '--types', 'node', '--skipLibCheck', 'false', consumer],
      { cwd: root, encoding: 'utf8' },
    );
  } catch (err) {
    output = (err as { stdout: string }).stdout;
  }
  // Other packages' declarations may have errors of their own (hapi's need joi); ours must not.
  const ours = output.split('\n').filter((line) => !line.startsWith('node_modules/') && line.trim() !== '' && !line.startsWith(' '));
  expect(ours).toEqual([]);
}, 60_000);

test('token-session exports the user API only, as properties of the class; what adapters and stores build on is in token-session/adapter', () => {
  const namesOf = (entry: string): string[] => JSON.parse(node(['-e', `console.log(JSON.stringify(Object.keys(require('${entry}')).sort()))`]));
  const user = namesOf('token-session');
  for (const internal of ['Maybe', 'andThen', 'isPromise', 'whenReady', 'HttpLifecycle', 'RequestSession', 'decideCommit', 'withHttpStatus', 'errorReply', 'nodeMiddleware', 'SessionRecords', 'planCommit']) {
    expect(user).not.toContain(internal);
  }
  expect(user).toEqual(userNames);
  expect(node(['-e', `const T = require('token-session'); console.log(typeof T, T.TokenSession === T, T === require('token-session/adapter').TokenSession)`]))
    .toBe('function true true');
  expect(namesOf('token-session/adapter')).toEqual(['HttpLifecycle', 'Store', 'TokenSession', 'TokenSessionError', 'applySessionChange', 'assertFactoryCall', 'errorReply', 'routeRequirement']);
  expect(namesOf('token-session/redis')).toEqual(['RedisSessionStore', 'redisIndex', 'redisStore']);
  expect(namesOf('token-session/pg')).toEqual(['PgSessionStore', 'pgStore', 'pgStoreSchema']);
  expect(namesOf('token-session/fetch')).toEqual(['TokenSession', 'TokenSessionError', 'fetchTokenSession', 'isTokenSessionError', 'memoryIndex']);
  expect(namesOf('token-session/hono')).toEqual(['honoTokenSession']);
  // Named exports only: a CommonJS `exports.default` is `{ default }` to Node's ESM importers.
  for (const [name, exported] of adapters) expect(namesOf(`token-session/${name}`)).toEqual([exported]);
});

test('the modules with import side effects are the ones package.json lists (sideEffects), and no adapter loads before it is used', () => {
  // A bundler drops an unused import of a module sideEffects does not list: every module that
  // puts Node's platform in place when imported must be listed, and nothing else is.
  const listed = (JSON.parse(readFileSync('package.json', 'utf8')) as { sideEffects: string[] }).sideEffects.map((file) => file.replace(/^\.\//, ''));
  const placing = execFileSync('grep', ['-rl', '--include=*.js', 'useNodePlatform)()', 'dist'], { encoding: 'utf8' }).trim().split('\n').sort();
  expect(listed.sort()).toEqual(placing);

  // The engine's own module, loaded without an entry, works on the web's platform.
  const alone = node(['-e', `
    const { TokenSession } = require('./dist/src/core/token-session.js');
    const sessions = new TokenSession();
    sessions.new({ n: 1 }).then(async ({ sid }) => console.log(sid.length, JSON.stringify(await sessions.get(sid)), Object.keys(require.cache).some((path) => /integrations|uid-safe|session-memory-store/.test(path))));`]);
  expect(alone).toBe('43 {"n":1} false');

  const out = node(['-e', `
    const TokenSession = require('token-session');
    const adapters = () => Object.keys(require.cache).filter((path) => /integrations/.test(path)).length;
    const sessions = new TokenSession();
    const before = adapters();
    const seed = sessions.express;
    console.log(before, typeof seed, typeof seed.requireSession, adapters() > 0, seed === sessions.express);`]);
  expect(out).toBe('0 function function true true');
});

describe('the packed tarball', () => {
  let tarball: string;
  /** A project with the tarball installed; the tests run as its files, where no self-reference reaches the checkout. */
  let project: string;
  let remove: () => void;
  const bin = (name: string) => join(root, 'node_modules/.bin', name);

  // The types a TypeScript user of each adapter has installed.
  beforeAll(() => ({ tarball, project, remove } = packedProject(['@types/node', '@types/express', '@types/koa', 'fastify', '@hapi/hapi', 'hono'])), 60_000);

  afterAll(() => remove());

  test('attw (are the types wrong?) finds no problem in any entry, under node10, node16 from CJS and from ESM, and bundler', () => {
    const { stdout, stderr } = spawnSync(bin('attw'), [tarball, '--format', 'json'], { encoding: 'utf8' });
    if (!stdout) throw new Error(`attw printed nothing: ${stderr}`);
    const { analysis, problems } = JSON.parse(stdout) as {
      analysis: { entrypoints: Record<string, { resolutions: Record<string, unknown> }> };
      problems: Record<string, Array<{ kind: string }>>;
    };
    // Every entry package.json exports, in every resolution mode: a problem nowhere looked for is no pass.
    const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const checked = Object.fromEntries(Object.entries(analysis.entrypoints).map(([entry, { resolutions }]) => [entry, Object.keys(resolutions)]));
    expect(checked).toEqual(Object.fromEntries(Object.keys(exports).map((entry) => [entry, ['node10', 'node16-cjs', 'node16-esm', 'bundler']])));
    const found = Object.values(problems).flat().map(({ kind, ...where }) => `${kind} ${JSON.stringify(where)}`);
    expect(found).toEqual([]);
  }, 60_000);

  test('publint reports no warning or error', () => {
    const { status, stdout, stderr } = spawnSync(bin('publint'), ['run', tarball, '--level', 'warning', '--strict'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const messages = stdout.split('\n').filter((line) => /^\d+\. /.test(line));
    expect(messages).toEqual([]);
    expect({ status, stdout, stderr }).toMatchObject({ status: 0, stdout: expect.stringContaining('All good') });
  }, 60_000);

  test("CommonJS: `require('token-session')` is the class, and every name a property of it", () => {
    const out = run('check.cjs', `
      const TokenSession = require('token-session');
      (async () => {
        const sessions = new TokenSession({});
        const { sid } = await sessions.new({ n: 1 });
        console.log(JSON.stringify({
          data: await sessions.get(sid),
          names: Object.keys(TokenSession).sort(),
          self: TokenSession.TokenSession === TokenSession,
          failure: TokenSession.isTokenSessionError(new TokenSession.TokenSessionError('ERR_OPTIONS', 'x')),
        }));
      })();`);
    expect(JSON.parse(out)).toEqual({ data: { n: 1 }, names: userNames, self: true, failure: true });
  });

  test('ESM: the default import is the class, the named imports are its properties, and both are the CommonJS instance', () => {
    const out = run('check.mjs', `
      import TokenSession, { TokenSession as Named, Store, TokenSessionError, isTokenSessionError, memoryIndex, redisIndex } from 'token-session';
      import * as namespace from 'token-session';
      import { createRequire } from 'node:module';
      const required = createRequire(import.meta.url)('token-session');
      const sessions = new TokenSession();
      const { sid } = await sessions.new({ n: 1 });
      const named = Object.keys(namespace).filter((name) => name !== 'default');
      console.log(JSON.stringify({
        data: await sessions.get(sid),
        sameClass: TokenSession === Named && Named === required,
        named,
        sameValues: named.every((name) => namespace[name] === TokenSession[name]),
        functions: [Store, TokenSessionError, isTokenSessionError, memoryIndex, redisIndex].map((value) => typeof value),
      }));`);
    expect(JSON.parse(out)).toEqual({ data: { n: 1 }, sameClass: true, named: userNames, sameValues: true, functions: Array(5).fill('function') });
  });

  test.each(adapters)('token-session/%s gives %s (a %s) to require() and to import, the same one', (name, exported, kind) => {
    const cjs = run(`${name}.cjs`, `
      const adapter = require('token-session/${name}');
      console.log(JSON.stringify([Object.keys(adapter), typeof adapter.${exported}]));`);
    expect(JSON.parse(cjs)).toEqual([[exported], kind]);
    const esm = run(`${name}.mjs`, `
      import { ${exported} } from 'token-session/${name}';
      import { createRequire } from 'node:module';
      console.log(JSON.stringify([typeof ${exported}, ${exported} === createRequire(import.meta.url)('token-session/${name}').${exported}]));`);
    expect(JSON.parse(esm)).toEqual([kind, true]);
  });

  test.each(['esm', 'cjs'] as const)('a bundler (esbuild, %s output) gives the default and the named imports the same class, and the adapters their functions', async (format) => {
    const esbuild = require('esbuild') as typeof import('esbuild');
    writeFileSync(join(project, 'bundled-entry.mjs'), `
      import TokenSession, { TokenSession as Named, Store, memoryIndex } from 'token-session';
      import { expressTokenSession } from 'token-session/express';
      (async () => {
        const sessions = new TokenSession();
        const { sid } = await sessions.new({ n: 1 });
        console.log(JSON.stringify([await sessions.get(sid), TokenSession === Named, typeof Store, typeof memoryIndex, typeof expressTokenSession]));
      })();`);
    const outfile = join(project, `bundle.${format === 'esm' ? 'mjs' : 'cjs'}`);
    // The frameworks stay outside the bundle, as an app's own dependencies would.
    await esbuild.build({
      entryPoints: [join(project, 'bundled-entry.mjs')], bundle: true, platform: 'node', format, outfile, logLevel: 'error',
      external: ['express', 'koa', 'fastify', '@hapi/hapi'],
      // esbuild's documented banner for ESM output on Node, where CommonJS code (ours and uid-safe's) requires Node's own modules.
      ...(format === 'esm' ? { banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } } : {}),
    });
    expect(JSON.parse(node([outfile], project))).toEqual([{ n: 1 }, true, 'function', 'function', 'function']);
  }, 60_000);

  test('token-session/fetch and /hono bundle for a worker (esbuild, the worker conditions) with nothing of Node\'s; on Node they load its platform', async () => {
    const esbuild = require('esbuild') as typeof import('esbuild');
    writeFileSync(join(project, 'worker-entry.mjs'), `
      import { fetchTokenSession } from 'token-session/fetch';
      import { honoTokenSession } from 'token-session/hono';
      export default { fetch: fetchTokenSession().wrap(() => new Response('ok')), hono: honoTokenSession };`);
    // Platform "neutral" resolves no Node built-in: a node: import or a require('crypto') fails the build.
    const { metafile, outputFiles } = await esbuild.build({
      entryPoints: [join(project, 'worker-entry.mjs')], bundle: true, platform: 'neutral', format: 'esm', write: false, metafile: true, logLevel: 'silent',
      conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'],
    });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((path) => /platform[\\/]node|fetch-node|hono-node|store[\\/](memory|base-store)|uid-safe|session-memory-store/.test(path))).toEqual([]);
    expect(inputs.some((path) => /integrations[\\/]fetch\.js$/.test(path))).toBe(true);
    expect(outputFiles[0]!.text).not.toMatch(/\brequire\(|from ["']node:/);
    // Node (and Bun and Deno, which match "node" too) take the variant on Node's platform.
    expect(node(['-p', `[require.resolve('token-session/fetch'), require.resolve('token-session/hono')].map((p) => require('path').basename(p)).join(' ')`], project))
      .toBe('fetch-node.js hono-node.js');
  }, 60_000);

  // The ways a TypeScript user imports it, each compiled as that user's tsconfig would; the
  // SessionData augmentation must type `data` in every one.
  const checks = `
    declare module 'token-session' {
      interface SessionData { userId?: string }
    }
    export async function check(err: unknown, handle: TokenSessionHandle, record: SessionRecord): Promise<void> {
      const options: TokenSessionOptions = { ttl: 60 };
      const sessions: Named = new TokenSession(options);
      const carts: TokenSession<{ items: string[] }> = new Named<{ items: string[] }>();
      const data: SessionData | null = await sessions.get('token');
      const userId: string | undefined = data?.userId ?? handle.data.userId ?? (await carts.get('token'))?.items[0];
      // @ts-expect-error userId is declared a string
      await sessions.new({ userId: 42 });
      const store: Store = new TokenSession.Store();
      const failure: TokenSessionError | undefined = isTokenSessionError(err) ? err : undefined;
      const middleware: MiddlewareOptions = { ...options, header: 'authorization' } as HttpOptions;
      void [userId, store, failure, record, middleware, memoryIndex, redisIndex];
      void [expressTokenSession({ ttl: 60 }).requireSession, koaTokenSession().requireSession, tokenSessionPlugin, hapiTokenSession.register];
    }`;
  const named = `{ TokenSession as Named, Store, TokenSessionError, isTokenSessionError, memoryIndex, redisIndex }`;
  const types = `{ SessionData, TokenSessionOptions, SessionRecord, HttpOptions, MiddlewareOptions, TokenSessionHandle }`;
  const adapterImports = adapters.map(([name, exported]) => `import { ${exported} } from 'token-session/${name}';`).join('\n');
  test.each([
    ['node10', 'check.ts', ['--module', 'commonjs', '--moduleResolution', 'node10'], `import TokenSession = require('token-session');`],
    ['node16 from CJS', 'check.cts', ['--module', 'node16'], `import TokenSession from 'token-session';\nimport Required = require('token-session');\nconst same: typeof Required = TokenSession;`],
    ['node16 from ESM', 'check.mts', ['--module', 'node16'], `import TokenSession from 'token-session';`],
    ['bundler', 'check.bundler.ts', ['--module', 'esnext', '--moduleResolution', 'bundler'], `import TokenSession from 'token-session';`],
  ])('types under %s: default (or require) import, named and type-only imports, augmentation', (_mode, file, flags, imports) => {
    const source = `${imports}\nimport ${named} from 'token-session';\nimport type ${types} from 'token-session';\n${adapterImports}\n${checks}`;
    writeFileSync(join(project, file), source);
    const { stdout } = spawnSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--types', 'node', ...flags, file],
      { cwd: project, encoding: 'utf8' },
    );
    expect(stdout).toBe('');
  }, 60_000);

  // A default import of an adapter entry: Node's ESM gives it the CommonJS exports object, which
  // no call or `app.use` can take. So it must fail type-checking in every mode, never pass and
  // then throw (every adapter's one export is named). The same file with the named import, which
  // must compile, shows that the error is the default import's.
  test.each([
    ['node10', 'default-import.ts', ['--module', 'commonjs', '--moduleResolution', 'node10']],
    ['node10 with esModuleInterop', 'default-import.interop.ts', ['--module', 'commonjs', '--moduleResolution', 'node10', '--esModuleInterop']],
    ['node16 from CJS', 'default-import.cts', ['--module', 'node16']],
    ['node16 from ESM', 'default-import.mts', ['--module', 'node16']],
    ['bundler', 'default-import.bundler.ts', ['--module', 'preserve', '--moduleResolution', 'bundler']],
  ])('a default import of an adapter fails type-checking under %s, where it would throw at run time', (_mode, file, flags) => {
    const uses: Array<[entry: string, exported: string, use: string]> = [
      ...adapters.map(([name, exported, kind]): [string, string, string] =>
        [name, exported, kind === 'object' ? 'export const plugin_adapter: { register: unknown } = adapter;' : 'export const use_adapter: (...args: never[]) => unknown = adapter;']),
      ['fetch', 'fetchTokenSession', "adapter().wrap(() => new Response('ok'));"],
      ['hono', 'honoTokenSession', 'adapter().requireSession;'],
    ];
    /** The lines of `source` that tsc reports an error on. */
    const linesWithErrors = (source: string): number[] => {
      writeFileSync(join(project, file), source);
      const { stdout } = spawnSync(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--types', 'node', ...flags, file],
        { cwd: project, encoding: 'utf8' },
      );
      return [...stdout.matchAll(/^[^(\s]+\((\d+),\d+\): error/gm)].map((match) => Number(match[1]));
    };
    const program = (importOf: (name: string, exported: string, local: string) => string): string =>
      [...uses.map(([name, exported], at) => importOf(name, exported, `adapter${at}`)), ...uses.map(([, , use], at) => use.replaceAll('adapter', `adapter${at}`)), ''].join('\n');
    const failing = linesWithErrors(program((name, _exported, local) => `import ${local} from 'token-session/${name}';`));
    // Each adapter's error is on its import (no default export) or its use (the exports object).
    expect(uses.filter((_use, at) => !failing.includes(at + 1) && !failing.includes(uses.length + at + 1)).map(([name]) => name)).toEqual([]);
    expect(linesWithErrors(program((name, exported, local) => `import { ${exported} as ${local} } from 'token-session/${name}';`))).toEqual([]);
    // At run time it is the exports object, which throws when called.
    expect(run('default-import.run.mjs', "import adapter from 'token-session/express'; console.log(typeof adapter, typeof adapter.expressTokenSession);")).toBe('object function');
  }, 180_000);

  /** Writes `source` as `file` in the project and runs it with Node. */
  function run(file: string, source: string): string {
    writeFileSync(join(project, file), source);
    return node([file], project);
  }
});
