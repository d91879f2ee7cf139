// Debian's chromium, headless through playwright-core, for the browser tests in test/e2e.
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/** The `chromium` on PATH (Debian's package, which .ci/run installs), or undefined. */
export const chromiumPath: string | undefined = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

/**
 * `describe` where chromium is installed, else `describe.skip`; with REQUIRE_REAL_STORES=1 (CI) it
 * runs anyway, so that a missing chromium fails instead of passing unseen.
 */
export function describeWithChromium(name: string, body: () => void): void {
  const run = chromiumPath || process.env['REQUIRE_REAL_STORES'] === '1' ? describe : describe.skip;
  run(`${name}${chromiumPath ? '' : ' (skipped: chromium is not installed)'}`, body);
}

export function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error('chromium is not installed (apt-get install chromium); .ci/run installs it');
  return chromium.launch({
    executablePath: chromiumPath,
    // As root in a container, and on a machine with no outside network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
