import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import request from 'supertest';
import { EVENTS_QUEUE, type DeliveryJob } from '@jewelshot/platform';
import { startApi, type TestApi } from '../support/app';
import { expectLedgerClean, fund } from '../support/ai';
import { bearer, newAdmin, uniqueEmail, type TestUser } from '../support/factories';
import { freePort } from '../support/free-port';
import { newOutboxDir, readOutbox } from '../support/outbox';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { suitePrefix } from '../support/test-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

/**
 * The abuse signals end to end: the API publishes the events, real worker processes score
 * them off the request path, flags open, admins are mailed, and an admin resolves a flag.
 */
describe('abuse scoring (libs/abuse)', () => {
  let own: SuiteDatabase;
  let api: TestApi;
  let env: NodeJS.ProcessEnv;
  const workers: WorkerProcess[] = [];
  let admin: TestUser;
  const outbox = newOutboxDir();

  beforeAll(async () => {
    own = await suiteDatabase('abuse');
    env = {
      DATABASE_URL: own.url,
      REDIS_KEY_PREFIX: suitePrefix('abuse'),
      ABUSE_SCORING: 'on',
      ABUSE_HOLD_SIGNUP_CREDITS: 'true',
      SIGNUP_CREDITS: '3',
      TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
      EVENTS_POLL_MS: '100',
      OUTBOX_DIR: outbox,
    };
    api = await startApi(env);
    workers.push(await startWorkerProcess(env));
    admin = await newAdmin(api);
  }, 90_000);

  afterAll(async () => {
    if (process.env.ABUSE_TEST_DEBUG)
      for (const worker of workers) process.stdout.write(worker.output());
    for (const worker of workers) await worker.stop();
    await api?.close();
    await own?.drop();
  });

  /** Signs up through `via` as if from `address` (a trusted proxy's X-Forwarded-For). */
  const register = async (address: string, via: TestApi = api): Promise<TestUser> => {
    const email = uniqueEmail('abuse');
    const password = `pw-${randomUUID()}`;
    const res = await via
      .http()
      .post('/v1/auth/register')
      .set('X-Forwarded-For', address)
      .send({ email, password });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
    return {
      id: res.body.user.id,
      email,
      password,
      accessToken: res.body.accessToken,
      refreshToken: '',
    };
  };

  const submit = (user: TestUser, prompt: string, address: string, via: TestApi = api) =>
    via
      .http()
      .post('/v1/ai/jobs')
      .set(...bearer(user.accessToken))
      .set('X-Forwarded-For', address)
      .send({ operation: 'generate', params: { prompt } });

  async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
    const started = Date.now();
    let value = await read();
    while (!done(value)) {
      if (Date.now() - started > 90_000)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      value = await read();
    }
    return value;
  }

  const flagsOf = (userIds: string[]) =>
    api.db.query(
      `SELECT id, user_id, status, score, signals, previous_tier, credits_held
         FROM abuse_flags WHERE user_id = ANY($1::uuid[]) ORDER BY created_at`,
      [userIds],
    ) as Promise<
      Array<{
        id: string;
        user_id: string;
        status: string;
        score: number;
        signals: Array<{ signal: string; value: number; evidence: Record<string, unknown> }>;
        previous_tier: string;
        credits_held: number;
      }>
    >;

  /** Admin-alert mails to the admin that name the user (the outbox driver's files). */
  const alertsAbout = async (userId: string): Promise<number> =>
    readOutbox(outbox).filter(
      (mail) =>
        mail.to === admin.email && mail.template === 'admin-alert' && mail.text.includes(userId),
    ).length;

  /** The email outbox table's admin alerts to the admin (one per flag, whatever their fate). */
  const alertRows = async (): Promise<number> => {
    const [row] = await api.db.query(
      `SELECT count(*)::int AS count FROM email_messages WHERE template = 'admin-alert' AND user_id = $1`,
      [admin.id],
    );
    return row.count;
  };

  const tierOf = async (userId: string): Promise<string> => {
    const [row] = await api.db.query(`SELECT priority_tier FROM users WHERE id = $1`, [userId]);
    return row.priority_tier;
  };

  it('flags ten accounts from one address that each spend only their sign-up credits: a farming signal, one flag and one admin email each, tier low; dismissing restores the tier', async () => {
    const address = '203.0.113.7';
    const accounts: TestUser[] = [];
    for (let i = 0; i < 10; i += 1) accounts.push(await register(address));
    for (const account of accounts)
      expect((await submit(account, `a ring, shot ${account.id}`, address)).status).toBe(202);
    const ids = accounts.map((a) => a.id);

    const flags = await until(
      'ten open flags',
      () => flagsOf(ids),
      (rows) => rows.length === 10,
    );
    for (const flag of flags) {
      expect(flag.status).toBe('open');
      expect(flag.score).toBeGreaterThan(70);
      const farming = flag.signals.find((s) => s.signal === 'farming');
      expect(farming?.value).toBeGreaterThan(0);
      expect(farming?.evidence).toMatchObject({ address, accounts: expect.any(Number) });
      expect(flag.previous_tier).toBe('normal');
      expect(await tierOf(flag.user_id)).toBe('low');
      // ABUSE_HOLD_SIGNUP_CREDITS: the unspent sign-up credits (3 granted, 1 held by the job).
      expect(flag.credits_held).toBe(2);
    }
    const mails = await until(
      'one admin alert per flag',
      () => Promise.all(ids.map(alertsAbout)),
      (counts) => counts.every((c) => c >= 1),
    );
    expect(mails).toEqual(ids.map(() => 1));
    // The scoring has settled: the signals keep being rescored, but no second flag or mail.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await flagsOf(ids)).toHaveLength(10);
    expect(await Promise.all(ids.map(alertsAbout))).toEqual(ids.map(() => 1));
    expect(await alertRows()).toBe(10);
    await expectLedgerClean(api);

    // The flagged user's own view is unchanged: the same fields as anyone's, no flag in it.
    const me = await api
      .http()
      .get('/v1/me')
      .set(...bearer((accounts[0] as TestUser).accessToken));
    const adminMe = await api
      .http()
      .get('/v1/me')
      .set(...bearer(admin.accessToken));
    expect(me.status).toBe(200);
    expect(Object.keys(me.body).sort()).toEqual(Object.keys(adminMe.body).sort());
    expect(JSON.stringify(me.body)).not.toMatch(/flag|score|signal/i);

    const list = await api
      .http()
      .get('/v1/admin/abuse/flags?status=open&limit=100')
      .set(...bearer(admin.accessToken));
    expect(list.status).toBe(200);
    const listed = (
      list.body.data as Array<{ id: string; userId: string; email: string; signals: unknown[] }>
    ).filter((f) => ids.includes(f.userId));
    expect(listed).toHaveLength(10);
    // Each flag names its user by email too, for the console.
    const emailOf = new Map(accounts.map((account) => [account.id, account.email]));
    for (const flag of listed) expect(flag.email).toBe(emailOf.get(flag.userId));
    // A cursor that names no flag is refused, not taken for the first page.
    const unknownCursor = await api
      .http()
      .get(`/v1/admin/abuse/flags?cursor=${randomUUID()}`)
      .set(...bearer(admin.accessToken));
    expect(unknownCursor.status).toBe(400);
    expect(unknownCursor.body.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
    const target = flags[0] as (typeof flags)[number];
    const resolved = await api
      .http()
      .post(`/v1/admin/abuse/flags/${target.id}/resolve`)
      .set(...bearer(admin.accessToken))
      .send({ resolution: 'dismissed', note: 'a shared office network' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      resolution: 'dismissed',
      email: emailOf.get(target.user_id),
    });
    expect(await tierOf(target.user_id)).toBe('normal');
    const again = await api
      .http()
      .post(`/v1/admin/abuse/flags/${target.id}/resolve`)
      .set(...bearer(admin.accessToken))
      .send({ resolution: 'banned', note: 'changed my mind' });
    expect(again.status).toBe(409);
    const [audit] = await api.db.query(
      `SELECT action, outcome FROM audit_events WHERE target_id = $1`,
      [target.id],
    );
    expect(audit).toEqual({ action: 'abuse.flag.resolve', outcome: 'succeeded' });

    const banTarget = flags[1] as (typeof flags)[number];
    const banned = await api
      .http()
      .post(`/v1/admin/abuse/flags/${banTarget.id}/resolve`)
      .set(...bearer(admin.accessToken))
      .send({ resolution: 'banned', note: 'farming accounts' });
    expect(banned.status).toBe(200);
    const [user] = await api.db.query(`SELECT status FROM users WHERE id = $1`, [
      banTarget.user_id,
    ]);
    expect(user.status).toBe('banned');
  }, 120_000);

  const signalOf = async (userId: string, signal: string) => {
    const [row] = await api.db.query(
      `SELECT value, evidence FROM abuse_signals WHERE user_id = $1 AND signal = $2`,
      [userId, signal],
    );
    return row as { value: number; evidence: Record<string, unknown> } | undefined;
  };

  let repeater: TestUser;

  it('reads the same prompt six times in five minutes as a duplicate-prompt signal with the count', async () => {
    const address = '198.51.100.20';
    repeater = await register(address);
    await fund(api, repeater, 20);
    for (let i = 0; i < 6; i += 1)
      expect((await submit(repeater, ' A ring on MARBLE,  soft daylight ', address)).status).toBe(
        202,
      );
    const signal = await until(
      'the duplicate-prompt signal at six',
      () => signalOf(repeater.id, 'duplicate-prompt'),
      (s) => s?.evidence.count === 6,
    );
    expect(signal?.value).toBeGreaterThan(0);
    expect(signal?.evidence.promptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(signal)).not.toMatch(/marble/i);
    expect((await signalOf(repeater.id, 'rapid-fire'))?.evidence.count).toBe(6);
  }, 60_000);

  it('counts the accounts of an address, of its network and of a device', async () => {
    const device = `device-${randomUUID().slice(0, 8)}`;
    const signUp = async (address: string): Promise<string> => {
      const res = await api
        .http()
        .post('/v1/auth/register')
        .set('X-Forwarded-For', address)
        .set('X-Device-Id', device)
        .send({ email: uniqueEmail('abuse-net'), password: `pw-${randomUUID()}` });
      expect(res.status).toBe(201);
      return res.body.user.id as string;
    };
    await signUp('192.0.2.10');
    await signUp('192.0.2.10');
    const last = await signUp('192.0.2.11');
    const perAddress = await until(
      'the network count at three',
      () => signalOf(last, 'accounts-per-address'),
      (s) => s?.evidence.networkAccounts === 3,
    );
    expect(perAddress?.evidence).toMatchObject({
      address: '192.0.2.11',
      accounts: 1,
      network: '192.0.2.0/24',
      networkAccounts: 3,
    });
    const perDevice = await until(
      'the device count at three',
      () => signalOf(last, 'accounts-per-device'),
      (s) => s?.evidence.accounts === 3,
    );
    expect(perDevice?.evidence).toMatchObject({ deviceId: device, accounts: 3 });
    expect(perDevice?.value).toBe(50);
  }, 60_000);

  it('scores a redelivered event (a retried queue job) once: no signal doubles', async () => {
    const [event] = await api.db.query(
      `SELECT id, name, payload FROM domain_events
        WHERE name = 'ai.job-submitted' AND payload->>'userId' = $1 ORDER BY seq LIMIT 1`,
      [repeater.id],
    );
    const queue = new Queue<DeliveryJob>(EVENTS_QUEUE, {
      connection: { url: api.config.REDIS_URL },
      prefix: `${api.config.REDIS_KEY_PREFIX}bull`,
    });
    try {
      const job = await queue.add(
        'deliver',
        {
          eventId: event.id,
          event: event.name,
          payload: event.payload,
          subscriber: 'abuse.job-submitted',
        },
        { jobId: `${event.id}.abuse.job-submitted.retry` },
      );
      await until(
        'the redelivery to finish',
        async () => (await queue.getJob(job.id ?? ''))?.finishedOn ?? null,
        (finished) => finished !== null,
      );
      expect(await (await queue.getJob(job.id ?? ''))?.getState()).toBe('completed');
    } finally {
      await queue.close();
    }
    expect((await signalOf(repeater.id, 'duplicate-prompt'))?.evidence.count).toBe(6);
    expect((await signalOf(repeater.id, 'rapid-fire'))?.evidence.count).toBe(6);
    const [observed] = await api.db.query(
      `SELECT count(*)::int AS count FROM abuse_observations WHERE user_id = $1 AND kind = 'job'`,
      [repeater.id],
    );
    expect(observed.count).toBe(6);
  }, 60_000);

  it('with two API processes and two workers: one flag per user', async () => {
    const port = await freePort();
    const secondApi = await startWorkerProcess(
      { ...env, PORT: String(port), LOG_LEVEL: 'warn' },
      join('test', 'support', 'api-process-main.ts'),
    );
    workers.push(secondApi);
    workers.push(await startWorkerProcess(env));
    const second = { http: () => request(`http://127.0.0.1:${port}`) } as unknown as TestApi;
    const address = '203.0.113.99';
    const alertsBefore = await alertRows();
    const accounts: TestUser[] = [];
    for (let i = 0; i < 6; i += 1) accounts.push(await register(address, i % 2 ? second : api));
    await Promise.all(
      accounts.map(async (account, i) =>
        expect((await submit(account, `pendant ${i}`, address, i % 2 ? api : second)).status).toBe(
          202,
        ),
      ),
    );
    const ids = accounts.map((a) => a.id);
    await until(
      'a flag for each of the six',
      async () => new Set((await flagsOf(ids)).map((f) => f.user_id)).size,
      (size) => size === 6,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const flags = await flagsOf(ids);
    expect(flags).toHaveLength(6);
    // One alert per flag in the email outbox table (past the 10/h cap they are kept, not sent).
    expect(await alertRows()).toBe(alertsBefore + 6);
    expect(new Set(flags.map((f) => f.user_id)).size).toBe(6);
    for (const id of ids) expect(await tierOf(id)).toBe('low');
    await expectLedgerClean(api);
  }, 120_000);
});
