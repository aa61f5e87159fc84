import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, type Logger } from 'typeorm';
import {
  AI_PROVIDER,
  JobQueue,
  JobRunner,
  JobsService,
  ProviderError,
  Reconciler,
  RetryableJobError,
  type AiProvider,
} from '@jewelshot/ai-jobs';
import { LedgerService } from '@jewelshot/credit-ledger';
import { UsersService } from '@jewelshot/identity';
import { loadConfig } from '../support/config';
import { jobPathContext } from '../support/job-path-context';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';

/**
 * The exact SQL of the job path, snapshotted like the ledger's (ledger-sql.spec.ts): submit
 * (with an idempotency key, first and replay), claim + settle, claim + requeue, claim + fail,
 * cancel, reconcile. A change to what the job path runs shows up in review as a snapshot diff.
 * Update with `npx jest test/integration/jobs-sql -u` after checking the new SQL by hand.
 * The worker's providers without its processors or schedules: nothing runs but what we call.
 */
describe('jobs SQL', () => {
  let context: INestApplicationContext;
  let recorded: string[] = [];
  // A database of its own: its reconcile runs with no grace, and on the shared database it
  // would take the other suites' jobs as lost (test/support/test-env.ts).
  let db: SuiteDatabase;

  beforeAll(async () => {
    db = await suiteDatabase('jobs_sql');
    const config = loadConfig({
      ...baseTestEnv(),
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: suitePrefix('jobs-sql'),
      LOCAL_PROVIDER_LATENCY_MS: '0',
      // No row re-read while a provider works: it would land in the snapshot at random.
      JOB_CANCEL_POLL_MS: '60000',
      JOB_RUNNING_DEADLINE_MS: String(24 * 60 * 60_000),
      RECONCILE_GRACE_MS: '0',
    });
    context = await jobPathContext(config, 'jewelshot-jobs-sql');
    const dataSource = context.get(DataSource);
    const original = dataSource.logger;
    const recorder: Logger = {
      logQuery: (query) => void recorded.push(normalise(query)),
      logQueryError: (...args) => original.logQueryError(...args),
      logQuerySlow: (...args) => original.logQuerySlow(...args),
      logSchemaBuild: (...args) => original.logSchemaBuild(...args),
      logMigration: (...args) => original.logMigration(...args),
      log: (...args) => original.log(...args),
    };
    dataSource.logger = recorder;
  });

  afterAll(async () => {
    await context?.close();
    await db?.drop();
  });

  const normalise = (query: string): string =>
    query
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<timestamp>');

  const sqlOf = async (work: () => Promise<unknown>): Promise<string[]> => {
    recorded = [];
    await work();
    const statements = recorded;
    recorded = [];
    return statements;
  };

  it('runs these statements on the job path', async () => {
    const jobs = context.get(JobsService);
    const runner = context.get(JobRunner);
    const ledger = context.get(LedgerService);
    const provider = context.get<AiProvider>(AI_PROVIDER);
    const user = await context
      .get(UsersService)
      .create(`jobs-sql-${randomBytes(6).toString('hex')}@example.test`, 'not-a-real-hash');
    await ledger.grant(user.id, 20, `test-grant:${user.id}`, 'test credits');
    const input = { operation: 'generate', params: { prompt: 'a ring' } };

    let jobId = '';
    const submit = await sqlOf(async () => {
      jobId = (await jobs.submit(user.id, input, { idempotencyKey: 'sql-1' })).job.id;
    });
    const replay = await sqlOf(async () => {
      const again = await jobs.submit(user.id, input, { idempotencyKey: 'sql-1' });
      expect(again).toMatchObject({ replayed: true, job: { id: jobId } });
    });
    const claimAndSucceed = await sqlOf(async () => {
      expect(await runner.run(jobId, { made: 0, allowed: 3 })).toBe('succeeded');
    });

    // The provider fails retryably (a test double of fal's answer, not of our storage).
    const { job: failing } = await jobs.submit(user.id, input);
    const run = provider.run.bind(provider);
    provider.run = () => Promise.reject(new ProviderError('PROVIDER_ERROR', 'down', true));
    try {
      const claimAndRequeue = await sqlOf(async () => {
        await expect(runner.run(failing.id, { made: 0, allowed: 3 })).rejects.toBeInstanceOf(
          RetryableJobError,
        );
      });
      const claimAndFail = await sqlOf(async () => {
        expect(await runner.run(failing.id, { made: 2, allowed: 3 })).toBe('failed');
      });

      const { job: queued } = await jobs.submit(user.id, input);
      const cancel = await sqlOf(() => jobs.cancel(queued.id, user.id));

      // A running job whose BullMQ job is gone (a worker that died with Redis' data lost).
      const { job: lost } = await jobs.submit(user.id, input);
      await context.get(JobQueue).removeIfWaiting(lost.id);
      await context
        .get(DataSource)
        .query(
          `UPDATE ai_jobs SET status = 'running', attempts = 1, started_at = now() WHERE id = $1`,
          [lost.id],
        );
      // On this suite's own database the lost job is the only one to repair: every statement.
      const reconcile = await sqlOf(() => context.get(Reconciler).reconcile());
      const [row] = (await context
        .get(DataSource)
        .query(`SELECT status FROM ai_jobs WHERE id = $1`, [lost.id])) as Array<{
        status: string;
      }>;
      expect(row?.status).toBe('queued');

      expect({
        submit,
        replay,
        claimAndSucceed,
        claimAndRequeue,
        claimAndFail,
        cancel,
        reconcile,
      }).toMatchSnapshot();
    } finally {
      provider.run = run;
    }
  });
});
