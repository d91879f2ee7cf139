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
  expect(existsSync(join(root, 'dist/index.d.ts'))).toBe(true);
});
