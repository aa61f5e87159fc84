import { randomUUID } from 'node:crypto';
import { TransactionHost } from '@nestjs-cls/transactional';
import { EmailService, type EmailStatus } from '@jewelshot/email';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { loadConfig } from '../support/config';
import { bearer, newAdmin, newUser, uniqueEmail } from '../support/factories';
import { newOutboxDir, readOutbox, waitForMail } from '../support/outbox';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';

const jobFailed = (to: string, userId: string) =>
  ({
    template: 'job-failed',
    to,
    userId,
    data: { jobId: randomUUID(), operation: 'scene', reason: 'the provider failed', refunded: 1 },
  }) as const;

/** The cap of 10 per user, template and hour, shared by every process through the table. */
describe('the email cap', () => {
  let apiA: TestApi;
  let apiB: TestApi;
  let worker: WorkerApp;
  const outbox = newOutboxDir();
  let db: SuiteDatabase;
  const env: NodeJS.ProcessEnv = {
    REDIS_KEY_PREFIX: suitePrefix('email-cap'),
    OUTBOX_DIR: outbox,
    EVENTS_POLL_MS: '100',
    EMAIL_SEND_RATE_PER_SECOND: '100',
  };

  beforeAll(async () => {
    db = await suiteDatabase('email_cap');
    env.DATABASE_URL = db.url;
    // Two API processes' worth of app: each its own pool, sharing only PostgreSQL and Redis.
    apiA = await startApi(env);
    apiB = await startApi(env);
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
  });

  afterAll(async () => {
    await worker?.close();
    await apiB?.close();
    await apiA?.close();
    await db?.drop();
  });

  it('sends 10 job-failed mails in an hour and records the 11th rate_limited, across two API processes; another template is not affected', async () => {
    const userId = randomUUID();
    const to = uniqueEmail('capped');
    const results = await Promise.all(
      Array.from({ length: 11 }, (_, i) =>
        (i % 2 === 0 ? apiA : apiB).app.get(EmailService).enqueue(jobFailed(to, userId)),
      ),
    );
    const count = (status: EmailStatus) => results.filter((r) => r.status === status).length;
    expect(count('queued')).toBe(10);
    expect(count('rate_limited')).toBe(1);

    const other = await apiB.app.get(EmailService).enqueue({
      template: 'low-credits',
      to,
      userId,
      data: { available: 1, threshold: 2 },
    });
    expect(other.status).toBe('queued');

    const sent = await waitForMail(outbox, (m) => m.to === to && m.template === 'job-failed', 10);
    expect(sent).toHaveLength(10);
    await waitForMail(outbox, (m) => m.to === to && m.template === 'low-credits');
    const rows = (await apiA.db.query(
      `SELECT status, count(*)::int AS n FROM email_messages WHERE user_id = $1 AND template = 'job-failed' GROUP BY status`,
      [userId],
    )) as Array<{ status: string; n: number }>;
    const limited = rows.find((r) => r.status === 'rate_limited');
    expect(limited?.n).toBe(1);
    // The 11th never reaches the outbox, even once the rest are out.
    expect(
      readOutbox(outbox).filter((m) => m.to === to && m.template === 'job-failed'),
    ).toHaveLength(10);
  });

  it('caps per address too, whichever user id the caller gives', async () => {
    const to = uniqueEmail('bombed');
    const results = [];
    for (let i = 0; i < 11; i++)
      results.push(await apiA.app.get(EmailService).enqueue({ ...jobFailed(to, randomUUID()) }));
    expect(results.filter((r) => r.status === 'rate_limited')).toHaveLength(1);
  });

  it('never sends a message whose transaction rolled back', async () => {
    const to = uniqueEmail('rolled-back');
    await expect(
      apiA.app.get(TransactionHost).withTransaction(async () => {
        await apiA.app.get(EmailService).enqueue(jobFailed(to, randomUUID()));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const committed = uniqueEmail('committed');
    await apiA.app.get(EmailService).enqueue(jobFailed(committed, randomUUID()));
    await waitForMail(outbox, (m) => m.to === committed);
    expect(
      await apiA.db.query(`SELECT id FROM email_messages WHERE to_address = $1`, [to]),
    ).toEqual([]);
    expect(readOutbox(outbox).filter((m) => m.to === to)).toEqual([]);
  });

  it('lists messages for admins without their bodies, filtered by user, status and template', async () => {
    const admin = await newAdmin(apiA);
    const userId = randomUUID();
    const to = uniqueEmail('listed');
    for (let i = 0; i < 11; i++) await apiA.app.get(EmailService).enqueue(jobFailed(to, userId));
    const page = await apiA
      .http()
      .get('/v1/admin/emails')
      .query({ userId, status: 'rate_limited', template: 'job-failed' })
      .set(...bearer(admin.accessToken));
    expect(page.status).toBe(200);
    expect(page.body.data).toHaveLength(1);
    const [record] = page.body.data as Array<Record<string, unknown>>;
    expect(record).toMatchObject({ userId, to, template: 'job-failed', status: 'rate_limited' });
    expect(record).not.toHaveProperty('html');
    expect(record).not.toHaveProperty('text');
    expect(JSON.stringify(page.body)).not.toContain('/jobs/');

    const all = await apiA
      .http()
      .get('/v1/admin/emails')
      .query({ userId, limit: 5 })
      .set(...bearer(admin.accessToken));
    expect(all.body.data).toHaveLength(5);
    const next = await apiA
      .http()
      .get('/v1/admin/emails')
      .query({ userId, limit: 10, cursor: all.body.nextCursor })
      .set(...bearer(admin.accessToken));
    expect(next.body.data).toHaveLength(6);

    const seller = await newUser(apiA, 'not-admin');
    const refused = await apiA
      .http()
      .get('/v1/admin/emails')
      .set(...bearer(seller.accessToken));
    expect(refused.status).toBe(403);
  });
});
