// The documentation as a test: every code block of README.md and examples/README.md, type-checked (strict, node16 and bundler resolution) against the packed package, and run where it is a program, a server, an app or a shell session.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkFilesOf, docBlocks, runnableOf, typeCheck, type CheckFile, type DocBlock } from './helpers/doc-blocks';
import { startAnsweringProcess, startServerProcess, type ServerProcess } from './helpers/example-process';
import { packedProject, type PackedProject } from './helpers/packed-project';
import { freePort } from './helpers/servers';

const root = join(__dirname, '..');
const DOCS = ['README.md', 'examples/README.md'];
const read = (doc: string) => readFileSync(join(root, doc), 'utf8');
const blocks = DOCS.flatMap((doc) => docBlocks(doc, read(doc)));
const files = checkFilesOf(blocks);
const where = (block: DocBlock) => `${block.doc}:${block.line}`;
const ofKind = (...kinds: string[]) => blocks.filter((block) => kinds.includes(block.kind));
const filesOfKind = (...kinds: string[]) => files.filter((file) => kinds.includes(file.block.kind));

let packed: PackedProject;
beforeAll(() => {
  packed = packedProject('all');
  // A partial block's prelude imports an example the way the README's reader would find it.
  symlinkSync(join(root, 'examples'), join(packed.project, 'examples'), 'dir');
}, 60_000);
afterAll(() => packed.remove());

test('every block has a kind: the README and examples/README.md parse, with no block left out', () => {
  expect(ofKind('program', 'server', 'fetch-app').length).toBeGreaterThanOrEqual(5);
  const fences = DOCS.reduce((count, doc) => count + (read(doc).match(/^```/gm)?.length ?? 0), 0);
  expect(blocks.length * 2).toBe(fences);
});

describe.each(['node16', 'bundler'] as const)('type-checked strict, %s resolution', (mode) => {
  test('every code block', async () => {
    expect(await typeCheck(packed.project, files, mode)).toEqual([]);
  }, 120_000);
});

describe('run as written, on the packed package', () => {
  test.each(filesOfKind('program', 'lines').map((file) => [`${file.block.doc}:${file.docLine}`, file] as const))('%s runs and exits 0', async (_at, file) => {
    await expect(runProgram(file)).resolves.toMatchObject({ code: 0 });
  }, 30_000);

  test.each(filesOfKind('server').map((file) => [where(file.block), file.block.argument, file] as const))('%s serves %s', async (_at, scenario, file) => {
    const server = await startProgram(file);
    try {
      await SERVER_SCENARIOS[scenario]!(server.url);
    } finally {
      await server.stop();
    }
  }, 30_000);

  test.each(filesOfKind('fetch-app').map((file) => [where(file.block), file.block.argument, file] as const))('%s answers %s', async (_at, scenario, file) => {
    const answers = await fetchApp(file, FETCH_SCENARIOS[scenario]!.requests);
    FETCH_SCENARIOS[scenario]!.expect(answers);
  }, 30_000);

  test.each(ofKind('typecheck').map((block) => [where(block), block.argument, block] as const))('%s is run by %s, which takes it from its section of the README', (_at, runner, block) => {
    const source = read(runner);
    expect(source).toContain(`'${block.doc}'`);
    // The runner finds its blocks by a heading (or its start) of their section, or of the one around it.
    const named = [...source.matchAll(/(['"])(##+ (?:(?!\1)[^\n])+)\1/g)].map((match) => match[2]!);
    expect(headingsAbove(block).filter((heading) => named.some((start) => heading.startsWith(start)))).not.toEqual([]);
  });
});

describe('shell blocks', () => {
  test.each(ofKind('commands').map((block) => [where(block), block] as const))('%s: every npm script it runs and every file it names exist', (_at, block) => {
    expect(missingInCommands(block.code)).toEqual([]);
  });

  test.each(ofKind('transcript').map((block) => [where(block), block.argument, block] as const))('%s, against %s, prints what it shows', async (_at, script, block) => {
    const server = await startServerProcess(script, {});
    try {
      const { shown, printed } = await runTranscript(block, new URL(server.url).host);
      expect(printed).toEqual(printed.map((line, at) => (matchesShown(line, shown[at]) ? line : shown[at])));
      expect(printed.length).toBe(shown.length);
    } finally {
      await server.stop();
    }
  }, 30_000);

  test.each(ofKind('layout').map((block) => [where(block), block] as const))('%s: every path it names exists', (_at, block) => {
    const named = block.code.split('\n').filter((line) => /^\S/.test(line)).flatMap((line) => {
      const [first, ...others] = /^[\w./-]+(?:,\s*[\w./-]+)*/.exec(line)![0].split(/,\s*/);
      const dir = first!.includes('/') ? first!.slice(0, first!.lastIndexOf('/') + 1) : '';
      return [first!, ...others.map((other) => dir + other)];
    });
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });
});

describe('the extractor catches a broken snippet', () => {
  const firstBlock = () => ofKind('server')[0]!;
  const broken = (from: string, to: string): CheckFile[] => {
    const block = firstBlock();
    expect(block.code).toContain(from);
    const markdown = read(block.doc).replace(from, to);
    return checkFilesOf(docBlocks(block.doc, markdown)).filter((file) => file.block.line === block.line);
  };

  test('a typo in a block fails the type-check, at its line of the README', async () => {
    const [file] = broken('app.use(express.json());', 'app.use(express.jsn());');
    const line = file!.docLine + file!.code.split('\n').findIndex((code) => code.includes('express.jsn()'));
    const found = await typeCheck(packed.project, [file!], 'node16');
    expect(found).toEqual([expect.stringMatching(new RegExp(`^README\\.md:${line}: error TS2551: Property 'jsn' does not exist`))]);
  }, 60_000);

  test("the README's old first snippet fails: no `cart` at login does not type-check, and its /cart answers 500", async () => {
    const [file] = broken("create({ userId: String(req.body.user), cart: [] })", 'create({ userId: String(req.body.user) } as never)');
    const server = await startProgram(file!);
    try {
      await expect(SERVER_SCENARIOS['express-cart']!(server.url)).rejects.toThrow(/500/);
    } finally {
      await server.stop();
    }
    const [typed] = broken("create({ userId: String(req.body.user), cart: [] })", 'create({ userId: String(req.body.user) })');
    expect(await typeCheck(packed.project, [typed!], 'bundler')).toEqual([expect.stringMatching(/^README\.md:\d+: error TS2345: [\s\S]*Property 'cart' is missing/)]);
  }, 60_000);

  test("point 10: the README's old memorystore and Redis blocks fail the type-check (a typed factory refuses TokenSession; require() with top-level await)", async () => {
    const old = `\`\`\`js
const { TokenSession } = require('token-session');
const MemoryStore = require('memorystore')(TokenSession);
const sessions = new TokenSession({ store: new MemoryStore({ checkPeriod: 60_000 }) });
\`\`\`

<!-- doctest: typecheck test/readme-stores.test.ts -->
\`\`\`js
const { createClient } = require('redis');
const { TokenSession } = require('token-session');
const client = createClient({ url: process.env.REDIS_URL });
await client.connect();
\`\`\`
`;
    const found = await typeCheck(packed.project, checkFilesOf(docBlocks('old.md', old)), 'node16');
    expect(found).toEqual([
      expect.stringMatching(/^old\.md:3: error TS2345: Argument of type 'typeof TokenSession' is not assignable/),
      expect.stringMatching(/^old\.md:12: error TS1309: The current file is a CommonJS module and cannot use .await. at the top level/),
    ]);
  }, 60_000);

  test('a program that throws fails its run', async () => {
    const [file] = checkFilesOf(docBlocks('broken.md', "```js\nimport { TokenSession } from 'token-session';\nawait new TokenSession().set('no-such-token', {});\n```\n"));
    await expect(runProgram(file!)).resolves.toMatchObject({ code: 1, stderr: expect.stringContaining('ERR_SESSION_NOT_FOUND') });
  }, 30_000);

  test('a block without a marker that cannot be a program is refused, naming its line', () => {
    expect(() => docBlocks('x.md', 'text\n\n```sh\nnpm start\n```\n')).toThrow(/x\.md:3: a `sh` block needs a doctest marker/);
    expect(() => docBlocks('x.md', '<!-- doctest: transcrpt -->\n```sh\n$ ls\n```\n')).toThrow(/x\.md:1: unknown doctest kind "transcrpt"/);
  });

  test('a transcript whose output differs fails', async () => {
    const [block] = docBlocks('x.md', '<!-- doctest: transcript examples/express.mjs -->\n```sh\n$ echo one\ntwo\n```\n');
    const { shown, printed } = await runTranscript(block!, '127.0.0.1:1');
    expect(matchesShown(printed[0]!, shown[0])).toBe(false);
    expect(matchesShown('one', 'o...')).toBe(true);
  });

  test('a command naming a script or a file that does not exist is reported', () => {
    expect(missingInCommands('npm run no-such-script\nnode examples/nothing.mjs   # a comment\nnpm start\n')).toEqual(['npm run no-such-script', 'examples/nothing.mjs']);
  });
});

describe('what the blocks teach (issue 21)', () => {
  const typing = ofKind('declaration');

  /** The README's declaration with `consumer`, in a program of their own, and what tsc reports in the consumer. */
  async function withDeclaration(declaration: string, consumer: string): Promise<string[]> {
    const markdown = `<!-- doctest: declaration -->\n\`\`\`ts\n${declaration}\`\`\`\n\n\`\`\`ts\n${consumer}\`\`\`\n`;
    const checked = checkFilesOf(docBlocks('typing.md', markdown)).map((file) => ({ ...file, group: 'typing' }));
    return typeCheck(packed.project, checked, 'node16');
  }
  const consumer = `import express from 'express';
import { expressTokenSession } from 'token-session/express';
express().use(expressTokenSession()).post('/', (req, res) => {
  const cart: string[] = req.tokenSession.data.cart;
  // @ts-expect-error cart is required from the start
  req.tokenSession.create({ userId: 'u-1' });
  req.tokenSession.create({ userId: 'u-1', cart: [], plan: 'pro' });
  res.json(cart);
});
`;

  test('point 1: the declaration types `data` where an Express app reads it, and its fields are enforced', async () => {
    expect(typing).toHaveLength(1);
    expect(await withDeclaration(typing[0]!.code, consumer)).toEqual([]);
    // The check can fail: the same consumer with no declaration at all.
    expect((await withDeclaration('export {};\n', consumer)).join('\n')).toMatch(/TS2339: Property 'cart' does not exist/);
  }, 60_000);

  test("point 1: without the `export {}` the README insists on, the declaration replaces token-session's types (TS2305)", async () => {
    const script = typing[0]!.code.split('\n').filter((line) => !line.startsWith('export {}')).join('\n');
    expect(script).not.toMatch(/^\s*(import|export)\s/m);
    const found = await withDeclaration(script, "import { TokenSession } from 'token-session';\nnew TokenSession();\n");
    expect(found).toEqual([expect.stringMatching(/TS2305: Module '"token-session"' has no exported member 'TokenSession'/)]);
    expect(read('README.md')).toContain("`TS2305: Module '\"token-session\"' has no exported\n  member 'TokenSession'`");
  }, 60_000);

  test("the Errors table lists every code of TokenSessionErrorCode, each once", () => {
    const union = read('src/errors.ts').match(/export type TokenSessionErrorCode =([\s\S]*?);/)![1]!;
    const codes = [...union.matchAll(/\| '(ERR_\w+)'/g)].map((match) => match[1]).sort();
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('### Errors'), readme.indexOf('### Brute force'));
    const listed = [...table.matchAll(/^\| `(ERR_\w+)` \|/gm)].map((match) => match[1]).sort();
    expect(codes.length).toBeGreaterThanOrEqual(9);
    expect(listed).toEqual(codes);
  });

  test('point 5: `sessionMiddleware` is what a factory makes, `sessions` is always the engine', () => {
    for (const doc of DOCS) {
      const text = read(doc);
      // A middleware's own methods, never called on `sessions` (nor on the old `ts`).
      expect(text).not.toMatch(/\b(sessions|ts)\.(requireSession|required|unauthorized|wrap|open|commit)\b/);
      const made = (pattern: RegExp) => [...new Set([...text.matchAll(pattern)].map((match) => match[1]))];
      expect(made(/(?:const|let) (\w+) = (?:express|koa|hono|fetch)TokenSession\b/g)).toEqual(doc === 'README.md' ? ['sessionMiddleware'] : []);
      expect(made(/(?:const|let) (\w+) = new TokenSession\b/g)).toEqual(doc === 'README.md' ? ['sessions'] : []);
    }
  });
});

/** Requests a scenario sends to a server block, and what it must answer. */
const SERVER_SCENARIOS: Record<string, (url: string) => Promise<void>> = {
  // README "In a web framework": sign in, then the cart grows with each item, and a request without a token gets 401.
  async 'express-cart'(url) {
    const post = async (path: string, body: unknown, token?: string) => {
      const response = await fetch(`${url}${path}`, {
        method: 'POST', body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...(token ? { 'x-session-token': token } : {}) },
      });
      if (response.status !== 200) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
      return { body: (await response.json()) as any, header: response.headers.get('x-session-token') };
    };
    const { body: { token }, header } = await post('/login', { user: 'ana' });
    expect(header).toBe(token);
    expect((await post('/cart', { item: 'apple' }, token)).body).toEqual(['apple']);
    expect((await post('/cart', { item: 'pear' }, token)).body).toEqual(['apple', 'pear']);
    expect((await fetch(`${url}/cart`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
  },
};

interface FetchAnswer { status: number; headers: Record<string, string>; body: string }

/** One request to a fetch app; `{token}` in a header stands for the token the first answer's body holds. */
interface FetchRequest { method?: string; path: string; headers?: Record<string, string> }

/** Requests sent to a fetch-app block's `fetch` in order, and what the answers must be. */
const FETCH_SCENARIOS: Record<string, { requests: FetchRequest[]; expect(answers: FetchAnswer[]): void }> = {
  'hono-count': {
    requests: [
      { method: 'POST', path: '/login' },
      { method: 'POST', path: '/count', headers: { 'x-session-token': '{token}' } },
      { method: 'POST', path: '/count', headers: { 'x-session-token': '{token}' } },
      { method: 'POST', path: '/count' },
    ],
    expect([login, first, second, none]) {
      expect(login!.headers['x-session-token']).toBe(JSON.parse(login!.body).token);
      expect([first, second].map((answer) => answer!.body)).toEqual(['{"count":1}', '{"count":2}']);
      expect(none!.status).toBe(401);
    },
  },
  'bearer-401': {
    requests: [{ path: '/' }, { path: '/', headers: { authorization: 'Bearer not*a*token' } }],
    expect([none, malformed]) {
      expect(none).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
      expect(malformed).toMatchObject({ status: 401, headers: { 'www-authenticate': expect.stringContaining('error="invalid_token"') } });
    },
  },
};

/** The headings whose sections hold `block`, innermost first: the last one of each level above it (the title aside). */
function headingsAbove(block: DocBlock): string[] {
  const byLevel = new Map<number, string>();
  for (const line of read(block.doc).split('\n').slice(0, block.line - 1)) {
    const heading = /^(##+) /.exec(line);
    if (!heading) continue;
    const level = heading[1]!.length;
    for (const deeper of [...byLevel.keys()]) if (deeper >= level) byLevel.delete(deeper);
    byLevel.set(level, line);
  }
  return [...byLevel.entries()].sort(([a], [b]) => b - a).map(([, heading]) => heading);
}

/** Writes the block as Node runs it into the project and runs it there. */
async function runProgram(file: CheckFile): Promise<{ code: number; stdout: string; stderr: string }> {
  const { name, code } = runnableOf(file);
  writeFileSync(join(packed.project, name), code);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [name], { cwd: packed.project, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout = '', stderr = '' } = error as { code?: number; stdout?: string; stderr?: string };
    return { code: code ?? -1, stdout, stderr };
  }
}

/** A server block on a free port (its `listen(3000)` swapped), once it answers. */
async function startProgram(file: CheckFile): Promise<ServerProcess> {
  const port = await freePort();
  const { name, code } = runnableOf(file);
  expect(code).toMatch(/\.listen\(3000\)/);
  writeFileSync(join(packed.project, name), code.replace('.listen(3000)', `.listen(${port}, '127.0.0.1')`));
  return startAnsweringProcess(name, packed.project, `http://127.0.0.1:${port}`);
}

/** Imports a fetch-app block in a Node process of its own and sends its default export's `fetch` these requests. */
async function fetchApp(file: CheckFile, requests: FetchRequest[]): Promise<FetchAnswer[]> {
  const { name, code } = runnableOf(file);
  writeFileSync(join(packed.project, name), code);
  const driver = `${name}.driver.mjs`;
  writeFileSync(join(packed.project, driver), `
    import app from './${name}';
    const answers = [];
    for (const { method = 'GET', path, headers = {} } of ${JSON.stringify(requests)}) {
      const token = answers.length > 0 ? JSON.parse(answers[0].body).token : '';
      const sent = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, value.replace('{token}', token)]));
      const response = await app.fetch(new Request('http://app.test' + path, { method, headers: sent }));
      answers.push({ status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() });
    }
    console.log(JSON.stringify(answers));`);
  const { stdout } = await promisify(execFile)(process.execPath, [driver], { cwd: packed.project, timeout: 20_000 });
  return JSON.parse(stdout) as FetchAnswer[];
}

/** What a commands block names that does not exist: npm scripts (`npm start`, `npm run X`) and files (`node X`, `npx bun X`, ...). */
function missingInCommands(code: string): string[] {
  const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  const commands = code.split('\n').map((line) => line.replace(/^\$ /, '').replace(/\s#.*$/, '').replace(/^[A-Z_]+=\$\(/, '').trim()).filter(Boolean)
    .flatMap((line) => line.split(/\s*(?:&&|;|&(?!&))\s*/)).filter(Boolean);
  return commands.flatMap((command) => {
    const words = command.split(/\s+/).filter((word) => !/^[A-Z_]+=/.test(word));
    if (words[0] === 'npm') {
      const script = words[1] === 'run' ? words[2]! : words[1]!;
      return ['install', 'ci'].includes(script) || script in scripts ? [] : [command];
    }
    if (words[0] === 'node' || words[0] === 'npx') {
      return words.filter((word) => /\.(m?js|cjs|ts)$/.test(word) && !existsSync(join(root, word)));
    }
    if (words[0] === 'curl') return [];
    return [command];
  });
}

/**
 * Runs a transcript's `$ ` commands in one bash (so variables carry over), its example address
 * (`127.0.0.1:3000`) swapped for `host`, and answers the lines each printed (a JSON body ends
 * with no newline: each command's output is read on its own) beside the lines the block shows.
 */
async function runTranscript(block: DocBlock, host: string): Promise<{ shown: string[]; printed: string[] }> {
  const commands: Array<{ command: string; shown: string[] }> = [];
  for (const line of block.code.trimEnd().split('\n')) {
    if (line.startsWith('$ ')) commands.push({ command: line.slice(2).replaceAll('127.0.0.1:3000', host), shown: [] });
    else commands.at(-1)!.shown.push(line);
  }
  const END = '\u001e';
  const script = commands.map(({ command }) => `${command}\nprintf '\\n${END}\\n'`).join('\n');
  const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: root, timeout: 20_000 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const printed = stdout.split(`\n${END}\n`).slice(0, commands.length).flatMap((output) => (output.trim() === '' ? [] : output.replace(/\n$/, '').split('\n')));
  return { shown: commands.flatMap(({ shown }) => shown), printed };
}

/** A printed line matches the line shown, where `...` in the shown line stands for any run of characters. */
function matchesShown(printed: string, shown: string | undefined): boolean {
  if (shown === undefined) return false;
  const pattern = shown.split('...').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(printed);
}
