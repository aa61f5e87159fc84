import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  // apps/api/src -> repository root, both from sources and from dist/.
  for (const up of [['..', '..', '..'], ['..', '..', '..', '..']]) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, ...up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'jewelshot' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

export const APP_VERSION = readVersion();
