import { EmailService } from '@jewelshot/email';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { loadConfig } from '../support/config';
import { bearer, newUser, uniqueEmail } from '../support/factories';
import { linkIn, mailTo, newOutboxDir, readOutbox, waitForMail } from '../support/outbox';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';

const BASE = 'https://app.jewelshot.test';

/** The mailed flows end to end: the API enqueues, the worker sends to the outbox, the test follows the links. */
describe('mail flows through the outbox', () => {
  let api: TestApi;
  let worker: WorkerApp;
  const outbox = newOutboxDir();
  let db: SuiteDatabase;
  const env: NodeJS.ProcessEnv = {
    REDIS_KEY_PREFIX: suitePrefix('email-flows'),
    OUTBOX_DIR: outbox,
    APP_BASE_URL: BASE,
    EVENTS_POLL_MS: '100',
    EMAIL_SEND_RATE_PER_SECOND: '100',
  };

  beforeAll(async () => {
    db = await suiteDatabase('email_flows');
    env.DATABASE_URL = db.url;
    api = await startApi(env);
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await db?.drop();
  });

  const to = (address: string) => (mail: { to: string }) => mail.to === address;

  it('mails a verify link on registration, and the link verifies the address', async () => {
    const user = await newUser(api, 'verify');
    const me = await api
      .http()
      .get('/v1/me')
      .set(...bearer(user.accessToken));
    expect(me.body.emailVerified).toBe(false);

    const mail = await mailTo(outbox, (m) => m.to === user.email && m.template === 'verify-email');
    const link = linkIn(mail, `${BASE}/verify-email`);
    const verified = await api
      .http()
      .post('/v1/auth/verify-email')
      .send({ token: link.searchParams.get('token') });
    expect(verified.status).toBe(204);

    const after = await api
      .http()
      .get('/v1/me')
      .set(...bearer(user.accessToken));
    expect(after.body.emailVerified).toBe(true);
    // Verified: the welcome follows, and asking for another verify link sends nothing.
    await waitForMail(outbox, (m) => m.to === user.email && m.template === 'welcome');
    const resend = await api
      .http()
      .post('/v1/me/verify-email/resend')
      .set(...bearer(user.accessToken));
    expect(resend.status).toBe(202);
    const rows = await api.db.query(
      `SELECT count(*)::int AS n FROM email_messages WHERE user_id = $1 AND template = 'verify-email'`,
      [user.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('resets the password once with the mailed link, ends every session, and refuses the second use', async () => {
    const user = await newUser(api, 'reset');
    const asked = await api.http().post('/v1/auth/password-reset').send({ email: user.email });
    expect(asked.status).toBe(202);

    const mail = await mailTo(
      outbox,
      (m) => m.to === user.email && m.template === 'password-reset',
    );
    const token = linkIn(mail, `${BASE}/reset-password`).searchParams.get('token');
    const confirm = () =>
      api
        .http()
        .post('/v1/auth/password-reset/confirm')
        .send({ token, password: 'a brand new passphrase' });
    expect((await confirm()).status).toBe(204);

    // Every session ended: the old refresh token is refused; the new password signs in.
    const refresh = await api
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken });
    expect(refresh.status).toBe(401);
    const login = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: 'a brand new passphrase' });
    expect(login.status).toBe(200);

    const again = await confirm();
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('INVALID_TOKEN');
    await waitForMail(outbox, (m) => m.to === user.email && m.template === 'password-changed');
  });

  it('voids a reset link mailed before the user changed their password', async () => {
    const user = await newUser(api, 'reset-then-change');
    await api.http().post('/v1/auth/password-reset').send({ email: user.email }).expect(202);
    const mail = await mailTo(
      outbox,
      (m) => m.to === user.email && m.template === 'password-reset',
    );
    const token = linkIn(mail, `${BASE}/reset-password`).searchParams.get('token');
    await api
      .http()
      .post('/v1/me/password')
      .set(...bearer(user.accessToken))
      .send({ currentPassword: user.password, newPassword: 'the owner chose this one' })
      .expect(204);
    const late = await api
      .http()
      .post('/v1/auth/password-reset/confirm')
      .send({ token, password: 'someone else chose this' });
    expect(late.status).toBe(400);
    expect(late.body.code).toBe('INVALID_TOKEN');
    const login = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: 'the owner chose this one' });
    expect(login.status).toBe(200);
  });

  it('refuses a wrong reset token with INVALID_TOKEN', async () => {
    const res = await api
      .http()
      .post('/v1/auth/password-reset/confirm')
      .send({ token: 'x'.repeat(43), password: 'a brand new passphrase' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('answers 202 with the same body for an unknown address and sends nothing', async () => {
    const known = await newUser(api, 'known');
    const unknown = uniqueEmail('nobody');
    const a = await api.http().post('/v1/auth/password-reset').send({ email: unknown });
    const b = await api.http().post('/v1/auth/password-reset').send({ email: known.email });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.body).toEqual(b.body);
    // The known address's mail arrives; by then the unknown one would have too.
    await waitForMail(outbox, (m) => m.to === known.email && m.template === 'password-reset');
    const rows = await api.db.query(`SELECT id FROM email_messages WHERE to_address = $1`, [
      unknown,
    ]);
    expect(rows).toEqual([]);
    expect(readOutbox(outbox).filter(to(unknown))).toEqual([]);
  });

  it('sends no job-failed mail to a user who turned it off; security mail still arrives', async () => {
    const user = await newUser(api, 'prefs');
    const put = await api
      .http()
      .put('/v1/me/email-preferences')
      .set(...bearer(user.accessToken))
      .send({ 'job-failed': false });
    expect(put.status).toBe(200);
    expect(put.body['job-failed']).toBe(false);
    expect(put.body['batch-finished']).toBe(true);
    // A switch left out stays as it is; sent as null it is refused, not turned off.
    const nulls = await api
      .http()
      .put('/v1/me/email-preferences')
      .set(...bearer(user.accessToken))
      .send({ welcome: null, 'batch-finished': null });
    expect({ status: nulls.status, code: nulls.body.code }).toEqual({
      status: 400,
      code: 'VALIDATION_ERROR',
    });
    const still = await api
      .http()
      .get('/v1/me/email-preferences')
      .set(...bearer(user.accessToken));
    expect(still.body).toMatchObject({ 'batch-finished': true, 'job-failed': false });

    const result = await api.app.get(EmailService).enqueue({
      template: 'job-failed',
      to: user.email,
      userId: user.id,
      data: {
        jobId: '00000000-0000-4000-8000-000000000000',
        operation: 'scene',
        reason: 'provider error',
        refunded: 1,
      },
    });
    expect(result.status).toBe('suppressed');

    await api.http().post('/v1/auth/password-reset').send({ email: user.email });
    await waitForMail(outbox, (m) => m.to === user.email && m.template === 'password-reset');
    expect(
      readOutbox(outbox).filter((m) => m.to === user.email && m.template === 'job-failed'),
    ).toEqual([]);
  });

  it('turns a type off through the one-click List-Unsubscribe link, without a login', async () => {
    const user = await newUser(api, 'unsub');
    await api.app.get(EmailService).enqueue({
      template: 'batch-finished',
      to: user.email,
      userId: user.id,
      data: { batchId: '00000000-0000-4000-8000-000000000001', total: 3, succeeded: 2, failed: 1 },
    });
    const mail = await mailTo(
      outbox,
      (m) => m.to === user.email && m.template === 'batch-finished',
    );
    expect(mail.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const header = mail.headers['List-Unsubscribe'] ?? '';
    const url = new URL(/^<(.+)>$/.exec(header)?.[1] ?? '');
    expect(url.origin).toBe(BASE);
    expect(url.pathname).toBe('/v1/email/unsubscribe');

    // As a mail client does it (RFC 8058): a form POST to the link, no credentials.
    const res = await api
      .http()
      .post(`${url.pathname}${url.search}`)
      .type('form')
      .send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: 'batch-finished' });
    const prefs = await api
      .http()
      .get('/v1/me/email-preferences')
      .set(...bearer(user.accessToken));
    expect(prefs.body['batch-finished']).toBe(false);
    expect(prefs.body['job-failed']).toBe(true);

    const forged = await api
      .http()
      .post('/v1/email/unsubscribe')
      .query({ token: `${url.searchParams.get('token')}x` });
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('INVALID_TOKEN');
  });

  it('with SIGNUP_CREDITS_ON=verified, grants the sign-up credits when the address is verified, once', async () => {
    const verifiedApi = await startApi({
      ...env,
      SIGNUP_CREDITS_ON: 'verified',
      SIGNUP_CREDITS: '3',
    });
    try {
      const user = await newUser(verifiedApi, 'farm');
      const balance = async () =>
        Number(
          (
            (await api.db.query(`SELECT balance FROM credit_accounts WHERE user_id = $1`, [
              user.id,
            ])) as Array<{ balance: string }>
          )[0]?.balance,
        );
      expect(await balance()).toBe(0);
      const mail = await mailTo(
        outbox,
        (m) => m.to === user.email && m.template === 'verify-email',
      );
      const token = linkIn(mail, `${BASE}/verify-email`).searchParams.get('token');
      const verify = () => verifiedApi.http().post('/v1/auth/verify-email').send({ token });
      expect((await verify()).status).toBe(204);
      expect(await balance()).toBe(3);
      expect((await verify()).status).toBe(400);
      expect(await balance()).toBe(3);
    } finally {
      await verifiedApi.close();
    }
  });

  it('security mail carries no unsubscribe header', async () => {
    const user = await newUser(api, 'security');
    const mail = await mailTo(outbox, (m) => m.to === user.email && m.template === 'verify-email');
    expect(mail.headers['List-Unsubscribe']).toBeUndefined();
  });
});
