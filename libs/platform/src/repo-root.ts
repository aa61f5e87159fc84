import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The project's root folder (the one holding our package.json), whether the code runs from
 * its TypeScript sources or from dist/.
 */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'jewelshot'
    ) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the jewelshot package.json above ' + __dirname);
    dir = parent;
  }
}

/** The folder of compiled output when running from dist/, else the root itself. */
export function codeRoot(): string {
  const root = repoRoot();
  return __dirname.startsWith(join(root, 'dist')) ? join(root, 'dist') : root;
}

export function projectVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}
