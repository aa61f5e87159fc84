import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@jewelshot/platform';

/**
 * The floors of DESIGN.md are an ESLint rule (eslint.config.mjs). These fixtures are linted as
 * if they stood in a lib, so a rule that stopped biting would fail here, not in review.
 */
describe('import boundaries between libs', () => {
  // The real CLI in a process of its own: it loads eslint.config.mjs as an ES module, which
  // Jest's module loader cannot.
  async function importErrors(filePath: string, code: string): Promise<string[]> {
    const root = repoRoot();
    const run = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
        '--stdin',
        '--stdin-filename',
        filePath,
        '--format',
        'json',
      ],
      {
        cwd: root,
        input: code,
        encoding: 'utf8',
      },
    );
    const [result] = JSON.parse(run.stdout) as Array<{
      messages: Array<{ ruleId: string | null; message: string }>;
    }>;
    return (result?.messages ?? [])
      .filter((message) => message.ruleId === 'no-restricted-imports')
      .map((message) => message.message);
  }

  it('refuses a lib importing a lib on a higher floor', async () => {
    const errors = await importErrors(
      'libs/credit-ledger/src/fixture.ts',
      `import { JobsService } from '@jewelshot/ai-jobs';\nexport const x = JobsService;\n`,
    );
    expect(errors).toEqual([
      expect.stringContaining(
        'libs/credit-ledger may import only platform, email, audit, identity',
      ),
    ]);
  });

  it('refuses platform importing any domain lib', async () => {
    const errors = await importErrors(
      'libs/platform/src/fixture.ts',
      `import { User } from '@jewelshot/identity';\nexport const x = User;\n`,
    );
    expect(errors).toEqual([expect.stringContaining('libs/platform may import only no other lib')]);
  });

  it('refuses a lib importing another lib of its own floor, or an app', async () => {
    expect(
      await importErrors(
        'libs/ai-jobs/src/fixture.ts',
        `import { x } from '@jewelshot/webhooks';\nexport const y = x;\n`,
      ),
    ).toHaveLength(1);
    expect(
      await importErrors(
        'libs/identity/src/fixture.ts',
        `import { x } from '../../../apps/api/src/bootstrap';\nexport const y = x;\n`,
      ),
    ).toEqual([expect.stringContaining('A lib never imports an app.')]);
  });

  it('allows a lib to import the floors below it', async () => {
    const code = `import { LedgerService } from '@jewelshot/credit-ledger';\nimport { User } from '@jewelshot/identity';\nimport { RowScope } from '@jewelshot/platform';\nexport const x = [LedgerService, User, RowScope];\n`;
    expect(await importErrors('libs/ai-jobs/src/fixture.ts', code)).toEqual([]);
  });
});
