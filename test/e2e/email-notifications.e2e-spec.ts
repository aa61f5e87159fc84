import { LedgerService } from '@jewelshot/credit-ledger';
import { RowScope } from '@jewelshot/platform';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { submit, upload, waitTerminal } from '../support/ai';
import { startApi, type TestApi } from '../support/app';
import { loadConfig } from '../support/config';
import { bearer, newUser } from '../support/factories';
import { smallPng } from '../support/images';
import { mailTo, newOutboxDir, readOutbox } from '../support/outbox';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';

/** The worker's notifications, sent from where things happen: a failed job, a finished batch, a low balance. */
describe('notification mail', () => {
  let api: TestApi;
  let worker: WorkerApp;
  let db: SuiteDatabase;
  const outbox = newOutboxDir();
  const env: NodeJS.ProcessEnv = {
    REDIS_KEY_PREFIX: suitePrefix('email-notify'),
    OUTBOX_DIR: outbox,
    EVENTS_POLL_MS: '100',
    EMAIL_SEND_RATE_PER_SECOND: '100',
    SIGNUP_CREDITS: '3',
    LOW_CREDITS_THRESHOLD: '2',
    // Every provider call fails, and there is no second attempt.
    LOCAL_PROVIDER_FAILURE_RATE: '1',
    JOB_ATTEMPTS: '1',
  };

  beforeAll(async () => {
    db = await suiteDatabase('email_notify');
    env.DATABASE_URL = db.url;
    api = await startApi(env);
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await db?.drop();
  });

  it('mails the owner of a job that failed after its last attempt, saying the credits were refunded', async () => {
    const user = await newUser(api, 'failed-job');
    const res = await submit(api, user, { operation: 'generate', params: { prompt: 'ring' } });
    expect(res.status).toBe(202);
    const [row] = await waitTerminal(api, [res.body.id]);
    expect(row?.status).toBe('failed');
    const mail = await mailTo(outbox, (m) => m.to === user.email && m.template === 'job-failed');
    expect(mail.text).toContain('1 credit(s) were refunded');
    expect(mail.text).toContain('Your "Generate from a prompt" job failed');
    expect(mail.text).toContain(`/jobs/${res.body.id}`);
  });

  it('mails once when the last job of a batch ends, with its counts', async () => {
    const user = await newUser(api, 'batch');
    const ids = [];
    for (let i = 0; i < 2; i++)
      ids.push((await upload(api, user, await smallPng(40 + i, 30))).body.id);
    const res = await api
      .http()
      .post('/v1/batches')
      .set(...bearer(user.accessToken))
      .send({ name: 'two', operation: 'remove-background', params: {}, inputImageIds: ids });
    expect(res.status).toBe(201);
    const jobs = (await api.db.query(`SELECT id FROM ai_jobs WHERE batch_id = $1`, [
      res.body.id,
    ])) as Array<{ id: string }>;
    await waitTerminal(
      api,
      jobs.map((job) => job.id),
    );
    const mail = await mailTo(
      outbox,
      (m) => m.to === user.email && m.template === 'batch-finished',
    );
    expect(mail.text).toContain('0 of 2 photos are ready, 2 failed');
    const rows = await api.db.query(
      `SELECT id FROM email_messages WHERE user_id = $1 AND template IN ('batch-finished', 'job-failed')`,
      [user.id],
    );
    // One batch mail, and no job-failed mail per item.
    expect(rows).toHaveLength(1);
  });

  it('sends the low-credit mail once per crossing below the threshold', async () => {
    const user = await newUser(api, 'low');
    const ledger = api.app.get(LedgerService);
    const scope = api.app.get(RowScope);
    const change = (delta: number, ref: string) =>
      scope.run(user.id, () =>
        delta > 0
          ? ledger.grant(user.id, delta, `${ref}:${user.id}`, 'test')
          : ledger.adjust(user.id, delta, `${ref}:${user.id}`, 'test', null),
      );
    await change(-2, 'down-1'); // 3 → 1: below 2, mailed
    await change(-1, 'down-2'); // 1 → 0: still below, not again
    await change(5, 'up'); // 0 → 5: above, the next fall mails again
    await change(-4, 'down-3'); // 5 → 1: mailed
    const count = async () =>
      (
        (await api.db.query(
          `SELECT count(*)::int AS n FROM email_messages WHERE user_id = $1 AND template = 'low-credits'`,
          [user.id],
        )) as Array<{ n: number }>
      )[0]?.n;
    expect(await count()).toBe(2);
    await mailTo(outbox, (m) => m.to === user.email && m.template === 'low-credits');
    const mails = readOutbox(outbox).filter(
      (m) => m.to === user.email && m.template === 'low-credits',
    );
    expect(mails.map((m) => m.text.includes('1 credit(s) available'))).toContain(true);
  });
});
