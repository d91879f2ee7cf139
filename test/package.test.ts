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
