// The code blocks of a Markdown file, each with the doctest marker that says how it is checked; their type-check and their runnable form.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

/**
 * How a block is checked, named in a comment on the line before it: `<!-- doctest: KIND ARGUMENT -->`
 * (a `partial` block's comment goes on over more lines: its prelude). A js or ts block without one
 * is a `program`; every other block needs one.
 */
export const BLOCK_KINDS = {
  /** complete: type-checked, then run by Node; it must exit 0 */
  program: 'code',
  /** complete, listens on port 3000: type-checked, then run on a free port and sent the named scenario's requests */
  server: 'code',
  /** a module whose default export has `fetch`: type-checked, then imported and sent the named scenario's requests */
  'fetch-app': 'code',
  /** deliberately partial: type-checked after its prelude (the names it takes as given), not run */
  partial: 'code',
  /** alternatives, one per line: each line type-checked and run alone */
  lines: 'code',
  /**
   * a declaration file: written as a `.d.ts`, in a program of its own with a one-line module that
   * imports `SessionData` from token-session (a `.d.ts` is not checked itself under `skipLibCheck`;
   * what it breaks shows where it is used)
   */
  declaration: 'code',
  /** type-checked here, run by the test file its argument names (it needs servers that test has) */
  typecheck: 'code',
  /** shell commands: each npm script it runs exists, each file it names exists */
  commands: 'shell',
  /** a shell session (`$ ` lines and their output): run in bash against the server script its argument names, the output compared (`...` stands for anything) */
  transcript: 'shell',
  /** a tree of the repository: each path it names exists */
  layout: 'text',
} as const;

export type BlockKind = keyof typeof BLOCK_KINDS;

export interface DocBlock {
  /** The Markdown file, relative to the repository. */
  doc: string;
  /** The line of the block's first code line in that file (from 1). */
  line: number;
  lang: string;
  code: string;
  kind: BlockKind;
  /** A scenario's name (server, fetch-app), the test that runs the block (typecheck), a server script (transcript). */
  argument: string;
  /** For `partial`: the code it is type-checked after. */
  prelude: string;
}

const FENCE_OPEN = /^```([\w-]*)\s*$/;
const MARKER = /<!--\s*doctest:\s*([\s\S]*?)-->\s*$/;

/** Every fenced block of `markdown` (the file `doc`), with its kind; a block whose kind is missing or unknown throws, naming its line. */
export function docBlocks(doc: string, markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = FENCE_OPEN.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((line, at) => at > i && /^```\s*$/.test(line));
    if (end === -1) throw new Error(`${doc}:${i + 1}: a code block that never ends`);
    const lang = open[1]!;
    const { kind, argument, prelude } = markerBefore(doc, lines, i, lang);
    blocks.push({ doc, line: i + 2, lang, code: lines.slice(i + 1, end).join('\n') + '\n', kind, argument, prelude });
    i = end;
  }
  return blocks;
}

function markerBefore(doc: string, lines: string[], fence: number, lang: string): Pick<DocBlock, 'kind' | 'argument' | 'prelude'> {
  let start = fence - 1;
  if (start >= 0 && lines[start]!.trimEnd().endsWith('-->')) {
    while (start > 0 && !lines[start]!.includes('<!--')) start -= 1;
  }
  const marker = start >= 0 ? MARKER.exec(lines.slice(start, fence).join('\n')) : null;
  const isCode = lang === 'js' || lang === 'ts';
  if (!marker) {
    if (isCode) return { kind: 'program', argument: '', prelude: '' };
    throw new Error(`${doc}:${fence + 1}: a \`${lang || 'plain'}\` block needs a doctest marker (<!-- doctest: KIND -->) on the line before it`);
  }
  const [head = '', ...rest] = marker[1]!.split('\n');
  const [kind = '', ...words] = head.trim().split(/\s+/);
  if (!(kind in BLOCK_KINDS)) throw new Error(`${doc}:${start + 1}: unknown doctest kind "${kind}" (known: ${Object.keys(BLOCK_KINDS).join(', ')})`);
  const expected = BLOCK_KINDS[kind as BlockKind];
  if ((expected === 'code') !== isCode || (expected === 'shell' && lang !== 'sh') || (expected === 'text' && lang !== '')) {
    throw new Error(`${doc}:${start + 1}: doctest kind "${kind}" does not fit a \`${lang || 'plain'}\` block`);
  }
  return { kind: kind as BlockKind, argument: words.join(' '), prelude: rest.join('\n').trim() };
}

/** One file a code block becomes for the compiler: a whole block, or one line of a `lines` block. */
export interface CheckFile {
  name: string;
  /** What the compiler reads: a header (`// @ts-check` for JavaScript), the prelude, then the code. */
  source: string;
  /** The code alone, as Node runs it (TypeScript once its types are stripped). */
  code: string;
  block: DocBlock;
  /** The Markdown line of the code's first line. */
  docLine: number;
  /** Lines of `source` before the code. */
  headerLines: number;
  /** Files that augment `token-session` get a program of their own: augmentation is program-wide. */
  group: string;
}

/** The compiler's files for every code block. */
export function checkFilesOf(blocks: DocBlock[]): CheckFile[] {
  return blocks.filter((block) => BLOCK_KINDS[block.kind] === 'code').flatMap((block) => {
    const parts = block.kind === 'lines'
      ? block.code.split('\n').map((code, at) => ({ code: code + '\n', docLine: block.line + at })).filter(({ code }) => code.trim() !== '')
      : [{ code: block.code, docLine: block.line }];
    return parts.flatMap(({ code, docLine }) => {
      const header = (block.lang === 'js' ? '// @ts-check\n' : '') + (block.prelude ? `${block.prelude}\n` : '');
      const stem = `${block.doc.replace(/\.md$/, '').replace(/[^\w]+/g, '-').toLowerCase()}-${docLine}`;
      const installed = asInstalledHere(code);
      const file: CheckFile = {
        name: `${stem}.${block.kind === 'declaration' ? 'd.ts' : extensionOf(block.lang, header + installed)}`,
        source: header + installed,
        code: installed,
        block,
        docLine,
        headerLines: header.split('\n').length - 1,
        group: /declare module ['"]token-session['"]/.test(code) ? stem : 'plain',
      };
      if (block.kind !== 'declaration') return [file];
      const use = "import type { SessionData } from 'token-session'; export type Fields = keyof SessionData;\n";
      return [file, { ...file, name: `${stem}.use.mts`, source: use, code: use, headerLines: 0 }];
    });
  });
}

/**
 * A block may import an older major of a package than the one installed, saying so:
 * `from 'connect-redis'; // npm install connect-redis@7`. Here that major is installed under an
 * alias (`connect-redis7`, package.json), which the import is pointed at.
 */
function asInstalledHere(code: string): string {
  return code.replace(/from '([\w@/.-]+)'(;? *\/\/ npm install \1@(\d+))/g, "from '$1$3'$2");
}

/** CommonJS where the code requires, an ES module otherwise (`import` and top-level `await`). */
function extensionOf(lang: string, source: string): string {
  const commonJs = /\brequire\(/.test(source) && !/^\s*(import|export)\s/m.test(source.replace(/^import \w+ = require\(.*$/gm, ''));
  return `${commonJs ? 'c' : 'm'}${lang === 'ts' ? 'ts' : 'js'}`;
}

export type ResolutionMode = 'node16' | 'bundler';

/** The tsconfig a TypeScript user of each resolution mode would have; strict, as the README assumes. */
const COMPILER_OPTIONS: Record<ResolutionMode, Record<string, unknown>> = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'preserve', moduleResolution: 'bundler' },
};

/**
 * Type-checks `files` in `project` (where token-session and the frameworks are installed) under
 * `mode`, one program per group, and answers each diagnostic as `<doc>:<line>: error TS...`.
 */
export async function typeCheck(project: string, files: CheckFile[], mode: ResolutionMode): Promise<string[]> {
  // In the project's own directory, where a prelude's `./examples/...` is found; both modes write the same sources.
  const dir = project;
  for (const file of files) writeFileSync(join(dir, file.name), file.source);
  const groups = [...new Set(files.map((file) => file.group))];
  const outputs = await Promise.all(groups.map(async (group) => {
    const config = join(dir, `tsconfig.${mode}.${group}.json`);
    writeFileSync(config, JSON.stringify({
      compilerOptions: {
        ...COMPILER_OPTIONS[mode], strict: true, target: 'es2022', lib: ['es2022'], types: ['node'],
        allowJs: true, noEmit: true, skipLibCheck: true,
      },
      files: files.filter((file) => file.group === group).map((file) => file.name),
    }));
    try {
      await promisify(execFile)(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', config], { cwd: dir });
      return '';
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      if (!stdout) throw error;
      return stdout + (stderr ?? '');
    }
  }));
  return outputs.join('\n').split(/\n(?! )/).filter((line) => line.trim() !== '').map((diagnostic) => {
    const at = /^(.+?)\((\d+),\d+\): ([\s\S]*)$/.exec(diagnostic);
    const file = at && files.find((candidate) => candidate.name === at[1]);
    if (!at || !file) return diagnostic;
    const line = Number(at[2]) - 1 - file.headerLines;
    return line < 0 ? `${file.block.doc}:${file.block.line - 1} (the marker's prelude): ${at[3]}` : `${file.block.doc}:${file.docLine + line}: ${at[3]}`;
  });
}

/** The file as Node runs it: the code alone (no prelude), TypeScript with its types stripped; and the name to write it under. */
export function runnableOf(file: CheckFile): { name: string; code: string } {
  const commonJs = /\.c[jt]s$/.test(file.name);
  const name = file.name.replace(/\.[cm][jt]s$/, commonJs ? '.run.cjs' : '.run.mjs');
  if (file.block.lang !== 'ts') return { name, code: file.code };
  const { outputText } = ts.transpileModule(file.code, {
    compilerOptions: { module: commonJs ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  return { name, code: outputText };
}
