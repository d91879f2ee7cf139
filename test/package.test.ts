// The built package as users load it: entries, exports, types.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The built package, as users load it (npm test builds first).
const root = join(__dirname, '..');
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

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

test('token-session exports the user API only; what adapters and stores build on is in token-session/adapter', () => {
  const namesOf = (entry: string): string[] => JSON.parse(node(['-e', `console.log(JSON.stringify(Object.keys(require('${entry}')).sort()))`]));
  const user = namesOf('token-session');
  for (const internal of ['Maybe', 'andThen', 'isPromise', 'whenReady', 'HttpLifecycle', 'RequestSession', 'decideCommit', 'withHttpStatus', 'errorReply', 'nodeMiddleware', 'SessionRecords', 'planCommit']) {
    expect(user).not.toContain(internal);
  }
  expect(user).toEqual(['Store', 'TokenSession', 'TokenSessionError', 'isTokenSessionError', 'memoryIndex', 'redisIndex']);
  expect(namesOf('token-session/adapter')).toEqual(['HttpLifecycle', 'Store', 'TokenSession', 'TokenSessionError', 'errorReply']);
});

test('nothing depends on an import side effect (sideEffects: false holds), and no adapter loads before it is used', () => {
  // The engine's own module, loaded without the entry that re-exports it, as a bundler may keep it.
  const out = node(['-e', `
    const { TokenSession } = require('./dist/src/core/token-session.js');
    const adapters = () => Object.keys(require.cache).filter((path) => /integrations/.test(path)).length;
    const sessions = new TokenSession();
    const before = adapters();
    const seed = sessions.express;
    console.log(before, typeof seed, typeof seed.requireSession, adapters() > 0, seed === sessions.express);`]);
  expect(out).toBe('0 function function true true');
});
