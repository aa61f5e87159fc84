// `npm start`: build, migrate, seed the demo users, then run the API and the worker together
// until Ctrl-C (or SIGTERM), which stops both. Uses only Node's own modules so it runs before
// anything else is in place.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// UV_THREADPOOL_SIZE is read by Node when libuv's thread pool first starts, so it can only be
// set here, before the API and worker processes start (see the README's configuration table).
const env = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '8',
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function step(label, command, args) {
  process.stdout.write(`\n> ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`${label} failed (exit ${result.status ?? result.signal}); stopping.\n`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(join(root, 'node_modules'))) step('install dependencies', npm, ['ci']);
step('build', npm, ['run', '--silent', 'build']);
step('build the web app', npm, ['run', '--silent', 'build:web']);
step('migrate', process.execPath, ['dist/apps/cli/src/migrate.js']);
if (env.NODE_ENV !== 'production')
  step('seed demo users', process.execPath, ['dist/apps/cli/src/seed-demo.js']);

const children = [
  ['api', 'dist/apps/api/src/main.js'],
  ['worker', 'dist/apps/worker/src/main.js'],
].map(([name, script]) => {
  const child = spawn(process.execPath, [script], { cwd: root, env, stdio: 'inherit' });
  child.name = name;
  return child;
});

// A stop lets each process finish by its own deadline (the worker drains its running jobs for up
// to WORKER_SHUTDOWN_TIMEOUT_MS, the API by API_SHUTDOWN_TIMEOUT_MS, then each exits anyway): a
// job cut off mid-run would only go back to the queue once its lock lapsed. A second Ctrl-C
// kills them at once.
let stopping = false;
function stop(signal) {
  if (stopping) {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    return;
  }
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}

process.on('SIGINT', () => {
  if (!stopping)
    process.stdout.write('\nStopping: running jobs finish first. Ctrl-C again to kill now.\n');
  stop('SIGTERM');
});
process.on('SIGTERM', () => stop('SIGTERM'));

let exitCode = 0;
let running = children.length;
for (const child of children) {
  child.on('exit', (code, signal) => {
    running -= 1;
    if (!stopping) {
      process.stderr.write(`${child.name} exited (${code ?? signal}); stopping the others.\n`);
      exitCode = code || 1;
      stop('SIGTERM');
    }
    if (running === 0) process.exit(exitCode);
  });
}
const port = env.PORT ?? '3000';
process.stdout.write(
  `\nJewelshot is starting: API on http://localhost:${port} (docs at /docs, health at /health). Ctrl-C stops everything.\n`,
);
