// Starts a server script (examples/redis/server.mjs, a fixture) in a process of its own, on the built package.
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
  const child = spawn(command, [...flags, join(root, script)], { cwd: root, env: { ...process.env, PORT: '0', ...env } });
  let output = '';
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill();
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, child, output: () => output, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
  });
}
