import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../support/free-port';
import { runCli } from '../support/backup-seed';
import { baseTestEnv } from '../support/test-env';

/**
 * The commands of apps/cli as an operator runs them: arguments are checked before anything
 * else, refused with one line, the usage and exit 2. The refusals run against a PostgreSQL
 * address nothing listens on: a command that went on would fail later, differently.
 */
describe('the commands’ arguments', () => {
  let nowhere: NodeJS.ProcessEnv;
  let backupDir: string;

  beforeAll(async () => {
    backupDir = mkdtempSync(join(tmpdir(), 'jewelshot-cli-args-'));
    nowhere = {
      ...baseTestEnv(),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/jewelshot`,
      BACKUP_DIR: backupDir,
    };
  });

  afterAll(() => rmSync(backupDir, { recursive: true, force: true }));

  it.each([
    ['ledger-verify.ts', ['--bogus'], 'ledger:verify', "Unknown option '--bogus'"],
    ['audit-verify.ts', ['--bogus'], 'audit:verify', "Unknown option '--bogus'"],
    ['backup-verify-files.ts', ['--bogus'], 'backup:verify-files', "Unknown option '--bogus'"],
    [
      'backup.ts',
      ['now'],
      'backup',
      "Unexpected argument 'now'. This command does not take positional arguments",
    ],
    ['migrate.ts', ['--dry-run'], 'migrate', "Unknown option '--dry-run'"],
    ['seed-demo.ts', ['--bogus'], 'seed-demo', "Unknown option '--bogus'"],
    ['restore.ts', ['--from', 'x', '--to', 'y', '--froce'], 'restore', "Unknown option '--froce'"],
    ['restore.ts', ['--from', 'x'], 'restore', '--to is required'],
    ['restore.ts', [], 'restore', '--from and --to are required'],
  ])('%s %j is refused with exit 2 and the usage', async (script, args, command, problem) => {
    const run = await runCli(script, args, nowhere);
    expect(run.code).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toEqual([`${command}: ${problem}`, expect.stringMatching(/^usage: /)]);
    expect(run.stdout).toBe('');
  });
});

describe('a configuration refused', () => {
  it('is one line and exit 2 (a command that could not run), never the 1 of a violation found', async () => {
    const run = await runCli('ledger-verify.ts', [], { ...baseTestEnv(), LOG_LEVEL: 'loud' });
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^Invalid configuration: LOG_LEVEL/),
    ]);
    expect(run.stdout).toBe('');
  });
});

describe('npm run restore', () => {
  it('says in one line that the target server does not answer, before reading the backup', async () => {
    const closed = await freePort();
    const run = await runCli(
      'restore.ts',
      [
        '--from',
        join(tmpdir(), 'no-such-backup'),
        '--to',
        `postgres://postgres@127.0.0.1:${closed}/x`,
      ],
      baseTestEnv(),
    );
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^PostgreSQL is not answering at 127\\.0\\.0\\.1:${closed}: start it with: .*, or set --to$`,
        ),
      ),
    ]);
    expect(run.stdout).toBe('');
  });
});

describe('npm run admin:create', () => {
  let nowhere: NodeJS.ProcessEnv;

  beforeAll(async () => {
    nowhere = {
      ...baseTestEnv(),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/jewelshot`,
    };
  });

  const create = (args: string[], env: NodeJS.ProcessEnv) => runCli('admin-create.ts', args, env);

  it.each([
    [['--email', 'ops@example.test', '--password', 'password12'], /most commonly used/],
    [['--email', 'ops@example.test', '--password', 'short'], /10 to 128 characters/],
    [['--email', 'a@b', '--password', 'cli-admin-password-1'], /not an address sign-up accepts/],
    [
      ['--email', '\u001b[2J\u001b[31mops@example.test', '--password', 'cli-admin-password-1'],
      /--email contains a control character/,
    ],
    [['--email', 'ops@example.test'], /--password is required/],
    [
      ['--email', 'ops@example.test', '--password', 'cli-admin-password-1', '--role', 'x'],
      /'--role'/,
    ],
  ])('refuses %j with one line and exit 2', async (args, problem) => {
    const run = await create(args, nowhere);
    expect(run.code).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toEqual([expect.stringMatching(problem), expect.stringMatching(/^usage: /)]);
    expect(lines[0]).toMatch(/^admin:create: /);
    expect(run.stderr).not.toContain('\u001b');
    expect(run.stdout).toBe('');
  });

  it('says plainly that an existing account keeps its password', async () => {
    const env = baseTestEnv();
    const email = `cli-admin-${Date.now()}@example.test`;
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    try {
      const first = await create(
        ['--email', `  ${email.toUpperCase()} `, '--password', 'cli-admin-password-1'],
        env,
      );
      expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Created admin: /) });
      const hashOf = async () =>
        (
          await db.query<{ password_hash: string }>(
            'SELECT password_hash FROM users WHERE email = $1',
            [email],
          )
        ).rows.map((row) => row.password_hash);
      const [hash] = await hashOf();
      expect(hash).toBeDefined();

      const again = await create(['--email', email, '--password', 'another-password-22'], env);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(
        new RegExp(
          `^Already an admin: ${email.replace(/[.]/g, '\\.')} \\([0-9a-f-]{36}\\)\\. Its password was left unchanged`,
        ),
      );
      expect(await hashOf()).toEqual([hash]);
    } finally {
      await db.end();
    }
  });
});
