// Starts a server script (examples/redis/server.mjs, a fixture, a README program) in a process of its own, on the built package.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

export interface ServerProcess {
  /** `http://127.0.0.1:<port>`, from the line it prints once it listens. */
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** `script` (relative to the repository) on a free port, with `env` added to this process's environment; run by Node unless `runtime` (a command and its flags) says otherwise. */
export function startServerProcess(script: string, env: Record<string, string>, runtime: string[] = [process.execPath]): Promise<ServerProcess> {
  const [command, ...flags] = runtime as [string, ...string[]];
  const { child, output, stop } = started(spawn(command, [...flags, join(root, script)], { cwd: root, env: { ...process.env, PORT: '0', ...env } }));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output());
      if (match) resolve({ url: match[1]!, child, output, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output()}`)));
  });
}

/**
 * `file` run by Node in `cwd`, once `url` answers HTTP: for a program that does not say when it
 * listens (a README block, which listens where it is told and prints nothing).
 */
export async function startAnsweringProcess(file: string, cwd: string, url: string): Promise<ServerProcess> {
  const server = { url, ...started(spawn(process.execPath, [file], { cwd })) };
  for (const deadline = Date.now() + 10_000; ;) {
    if (server.child.exitCode !== null) throw new Error(`${file} exited with ${server.child.exitCode}: ${server.output()}`);
    if (await fetch(url).then(() => true, () => false)) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${file} did not answer on ${url}: ${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A child's output as it comes, and a stop that resolves once it has exited. */
function started(child: ChildProcess): Pick<ServerProcess, 'child' | 'output' | 'stop'> {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill();
  });
  return { child, output: () => output, stop };
}
