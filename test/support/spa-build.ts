import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@jewelshot/platform';

const ROOT = repoRoot();
/** Where `npm run build:web` writes the SPA the API serves. */
export const SPA_DIST = join(ROOT, 'apps', 'web', 'dist');

/** What the build is made from: a change to any of these makes the build stale. */
const SOURCES = [
  join(ROOT, 'apps', 'web', 'src'),
  join(ROOT, 'apps', 'web', 'index.html'),
  join(ROOT, 'apps', 'web', 'public'),
  join(ROOT, 'apps', 'web', 'vite.config.ts'),
  join(ROOT, 'packages', 'api-client', 'src'),
];

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestChange(join(path, name))),
    stat.mtimeMs,
  );
}

/**
 * Builds the SPA when there is no build, or when a source changed after the last one (so a
 * browser test never runs against yesterday's pages). CI builds before the tests: nothing to do.
 */
export function ensureSpaBuilt(): void {
  const index = join(SPA_DIST, 'index.html');
  if (existsSync(index)) {
    const builtAt = statSync(index).mtimeMs;
    if (Math.max(...SOURCES.map(newestChange)) <= builtAt) return;
  }
  // A production build, as CI and `npm start` make: Jest's NODE_ENV=test would otherwise make
  // Vite bundle React's development build (StrictMode's doubled effects and all).
  const build = spawnSync('npm', ['run', '--silent', 'build:web'], {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (build.status !== 0)
    throw new Error(`npm run build:web failed: ${String(build.stderr)}${String(build.stdout)}`);
}
