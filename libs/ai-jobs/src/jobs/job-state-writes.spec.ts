import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * job-transitions.ts is the one writer of `ai_jobs.status` (issue 8, item 2). This reads the
 * sources of every lib and app and fails on a status write anywhere else. The fixtures below
 * prove each pattern bites.
 */
const ROOT = join(__dirname, '..', '..', '..', '..');
const OWNER = ['libs', 'ai-jobs', 'src', 'jobs', 'job-transitions.ts'].join(sep);

const PATTERNS: Array<{ name: string; applies: (source: string) => boolean; pattern: RegExp }> = [
  {
    name: 'raw SQL UPDATE ai_jobs ... status =',
    applies: () => true,
    pattern: /UPDATE\s+"?ai_jobs"?\s+(?:AS\s+\w+\s+)?SET\b[^;`]*?\bstatus"?\s*=/i,
  },
  { name: 'update(AiJob, ...)', applies: () => true, pattern: /\.update\(\s*AiJob\b/ },
  {
    // In a file that touches jobs, any update/save/upsert/set call whose object literal names
    // `status` (as a key or a shorthand).
    name: 'update/save/upsert/set({ status })',
    applies: (source) => /\bAiJob\b|\bai_jobs\b/.test(source),
    pattern: /\.(?:update|save|upsert|set)\(\s*(?:[^()]*?,\s*)?\{[^{}]*?\bstatus\s*[:,}]/,
  },
];

/** The patterns a source breaks, by name. */
function statusWrites(source: string): string[] {
  return PATTERNS.filter((p) => p.applies(source) && p.pattern.test(source)).map((p) => p.name);
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('writes of ai_jobs.status', () => {
  it('happen only in job-transitions.ts', () => {
    const offenders = [...sources(join(ROOT, 'libs')), ...sources(join(ROOT, 'apps'))]
      .map((path) => relative(ROOT, path))
      .filter((path) => path !== OWNER)
      .flatMap((path) =>
        statusWrites(readFileSync(join(ROOT, path), 'utf8')).map((name) => `${path}: ${name}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the owner itself is what the patterns would catch (so the check is not vacuous)', () => {
    expect(statusWrites(readFileSync(join(ROOT, OWNER), 'utf8'))).not.toEqual([]);
  });

  it.each([
    [`await db.query(\`UPDATE ai_jobs SET status = 'queued' WHERE id = $1\`, [id]);`],
    [`await db.query("update ai_jobs set updated_at = now(), status = 'failed' where id = $1");`],
    [`await manager.update(AiJob, { id }, { status: 'failed' });`],
    [`const repo = m.getRepository(AiJob);\nawait repo.update({ id }, { status: 'running' });`],
    [
      `const repo = m.getRepository(AiJob);\nawait repo.update(\n  { id: jobId },\n  {\n    finishedAt,\n    status,\n  },\n);`,
    ],
    [`const repo = m.getRepository(AiJob);\nawait repo.save({ ...job, status: 'succeeded' });`],
    [`qb.update(AiJob).set({ status: 'canceled' }).where('id = :id', { id });`],
  ])('catches %s', (fixture) => {
    expect(statusWrites(fixture)).not.toEqual([]);
  });

  it.each([
    [`await db.query(\`SELECT id FROM ai_jobs WHERE status = 'running'\`);`],
    [
      `const repo = m.getRepository(AiJob);\nawait repo.update({ id }, { providerRequestId: requestId });`,
    ],
    [`await holds.update({ id }, { status: 'posted' }); // a hold, in a file that knows no jobs`],
  ])('lets %s be', (fixture) => {
    expect(statusWrites(fixture)).toEqual([]);
  });
});
