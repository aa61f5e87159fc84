import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

// `{ err: error }` or `{ err }`: an error logged as it is. pino's `err` serializer scrubs it
// too (logging.module.ts), but a line is written through loggableError, so that a logger
// without that serializer (a child with its own, a test's) still writes no query parameters.
const RAW_ERR = /\berr:\s*(?!loggableError\()[A-Za-z_$]|\{\s*err\s*[,}]/;

describe('error logging', () => {
  it('passes every logged error through loggableError (apps and libs)', () => {
    const dirs = ['apps', 'libs'].flatMap((top) =>
      readdirSync(join(ROOT, top))
        .filter((name) => name !== 'web')
        .map((name) => join(ROOT, top, name, 'src')),
    );
    const raw: string[] = [];
    for (const file of dirs.flatMap((dir) => sources(dir))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const code = line.trim();
          if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return;
          if (/\berr:\s*serializeLoggedError\b/.test(code)) return;
          if (RAW_ERR.test(code)) raw.push(`${relative(ROOT, file)}:${index + 1}: ${code}`);
        });
    }
    expect(raw).toEqual([]);
  });
});
