import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '@jewelshot/platform';

/**
 * The backend's files import each other without a cycle (type-only imports count too: a cycle
 * of types is still two files that cannot be read apart, as ai-job.entity and batch.entity once
 * were). Relative imports and the `@jewelshot/<lib>` aliases (to the lib's index) are edges;
 * the floors between libs are ESLint's (lint-boundaries.spec.ts).
 */
const ROOT = repoRoot();
const ROOTS = [
  ...readdirSync(join(ROOT, 'libs')).map((lib) => join(ROOT, 'libs', lib, 'src')),
  ...['api', 'worker', 'cli'].map((app) => join(ROOT, 'apps', app, 'src')),
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const found: string[] = [];
  for (const match of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
    const spec = match[1] ?? '';
    const alias = /^@jewelshot\/([a-z-]+)$/.exec(spec);
    const base = alias
      ? join(ROOT, 'libs', alias[1] ?? '', 'src', 'index')
      : spec.startsWith('.')
        ? resolve(dirname(file), spec)
        : null;
    if (base === null) continue;
    const target = [`${base}.ts`, join(base, 'index.ts')].find((path) => existsSync(path));
    if (target) found.push(target);
  }
  return found;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next]);
      else if (!done.has(next)) visit(next, [...path, next]);
    }
    done.add(node);
  };
  for (const node of graph.keys()) if (!done.has(node)) visit(node, [node]);
  return found;
}

describe('the import graph of the libs and apps', () => {
  it('has no cycle', () => {
    const files = ROOTS.filter((root) => existsSync(root)).flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    expect(cycles(graph).map((cycle) => cycle.map((f) => relative(ROOT, f)).join(' -> '))).toEqual(
      [],
    );
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
