// A user's project with the packed tarball installed, as npm would install it: what the package and documentation tests run against.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '../..');

export interface PackedProject {
  /** The tarball `npm pack` made. */
  tarball: string;
  /** The project's directory: its node_modules holds token-session from the tarball, where no self-reference reaches the checkout. */
  project: string;
  remove(): void;
}

/**
 * Packs the checkout (build it first) and unpacks the tarball where npm would install it, its
 * dependencies and `also` linked from this checkout's node_modules (no network here); `also`:
 * the packages the project's own code uses, or `'all'` of this checkout's.
 */
export function packedProject(also: string[] | 'all'): PackedProject {
  const dir = mkdtempSync(join(tmpdir(), 'token-session-pack-'));
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }));
  const tarball = join(dir, filename);
  const project = join(dir, 'project');
  const modules = join(project, 'node_modules');
  const installed = join(modules, 'token-session');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
  const { dependencies = {} } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const linked = also === 'all' ? readdirSync(join(root, 'node_modules')).filter((name) => !name.startsWith('.') && name !== 'token-session') : also;
  for (const name of new Set([...Object.keys(dependencies), ...linked])) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  }
  return { tarball, project, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
