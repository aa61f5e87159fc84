import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@jewelshot/platform';
import { baseTestEnv } from './test-env';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for the process to end (Nest re-raises the signal after its shutdown hooks). */
  stop: () => Promise<number | null>;
  /** SIGKILL: no shutdown hook runs. */
  kill: () => Promise<void>;
}

/**
 * The real worker app (apps/worker/src/main.ts) in a process of its own; `entry` (relative to
 * the repository) starts another entry point instead, e.g. the worker with test modules.
 */
export async function startWorkerProcess(
  env: NodeJS.ProcessEnv,
  entry = join('apps', 'worker', 'src', 'main.ts'),
): Promise<WorkerProcess> {
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    ['-r', join(root, 'test', 'support', 'register.js'), join(root, entry)],
    {
      cwd: root,
      env: { ...process.env, ...baseTestEnv(), LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': 'exit' may come before the pipes are drained, and then the last log
  // lines (the shutdown hooks' "worker … stopped") would be missing from `output`.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );

  const started = Date.now();
  while (!/is up/.test(output)) {
    if (child.exitCode !== null) throw new Error(`worker exited early:\n${output}`);
    if (Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
