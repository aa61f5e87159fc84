import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@jewelshot/platform';
import { CONFLICT_REASONS } from './error-response.dto';

/** Every non-test TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.endsWith('.spec.ts'));
}

/**
 * openapi.yaml lists a CONFLICT's `details.reason` values from CONFLICT_REASONS, written out by
 * hand; the reasons themselves are set where each error is thrown. This holds the two together:
 * every CONFLICT thrown in apps/ and libs/ names a reason, and the list is exactly those.
 */
describe('CONFLICT reasons', () => {
  const root = repoRoot();
  const thrown = [
    ...sources(join(root, 'libs')),
    ...sources(join(root, 'apps', 'api', 'src')),
  ].flatMap((path) => {
    const text = readFileSync(path, 'utf8');
    // `super('CONFLICT', …)` or `new DomainError('CONFLICT', …)`, up to its closing `);`.
    return [...text.matchAll(/(?:super|new DomainError)\(\s*'CONFLICT',([\s\S]*?)\);/g)].map(
      (match) => ({ path, reason: /reason: '([A-Z_]+)'/.exec(match[1] ?? '')?.[1] }),
    );
  });

  it('finds the CONFLICTs the code throws', () => {
    expect(thrown.length).toBeGreaterThanOrEqual(CONFLICT_REASONS.length);
  });

  it('gives every thrown CONFLICT a reason', () => {
    expect(thrown.filter((conflict) => conflict.reason === undefined)).toEqual([]);
  });

  it('documents exactly the reasons thrown', () => {
    const reasons = new Set(thrown.map((conflict) => conflict.reason));
    expect([...reasons].sort()).toEqual([...CONFLICT_REASONS].sort());
  });
});
