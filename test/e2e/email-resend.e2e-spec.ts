import { randomUUID } from 'node:crypto';
import { EmailService, type EmailStatus } from '@jewelshot/email';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { loadConfig } from '../support/config';
import { uniqueEmail } from '../support/factories';
import { FakeResend } from '../support/fake-resend';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const API_KEY = 're_test_0123456789';

interface MessageRow {
  status: EmailStatus;
  attempts: number;
  provider_id: string | null;
  last_error: string | null;
  html: string | null;
}

async function enqueue(api: TestApi, to: string): Promise<string> {
  const { id, status } = await api.app.get(EmailService).enqueue({
    template: 'batch-finished',
    to,
    userId: randomUUID(),
    data: { batchId: randomUUID(), total: 2, succeeded: 2, failed: 0 },
  });
  expect(status).toBe('queued');
  return id;
}

async function settled(api: TestApi, id: string, timeoutMs = 60_000): Promise<MessageRow> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = (await api.db.query(
      `SELECT status, attempts, provider_id, last_error, html FROM email_messages WHERE id = $1`,
      [id],
    )) as MessageRow[];
    if (row && row.status !== 'queued') return row;
    if (Date.now() > until) throw new Error(`message ${id} still queued: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The resend driver through the real SDK against a local fake of Resend's API. */
describe('the resend driver against a fake Resend', () => {
  const fake = new FakeResend(API_KEY);
  let api: TestApi;
  let worker: WorkerApp;
  let env: NodeJS.ProcessEnv;

  let db: SuiteDatabase;

  beforeAll(async () => {
    await fake.start();
    db = await suiteDatabase('email_resend');
    env = {
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: suitePrefix('email-resend'),
      EMAIL_DRIVER: 'resend',
      RESEND_API_KEY: API_KEY,
      RESEND_BASE_URL: fake.url,
      EVENTS_POLL_MS: '100',
      EMAIL_BACKOFF_MS: '50',
      EMAIL_ATTEMPTS: '5',
      EMAIL_SEND_RATE_PER_SECOND: '100',
    };
    api = await startApi(env);
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await fake.stop();
    await db?.drop();
  });

  it('sends a message once, with its id as the Idempotency-Key, and records Resend’s id', async () => {
    const to = uniqueEmail('ok');
    const id = await enqueue(api, to);
    const row = await settled(api, id);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(1);
    const deliveries = fake.deliveriesFor(id);
    expect(deliveries).toHaveLength(1);
    expect(row.provider_id).toBe(deliveries[0]?.id);
    expect(deliveries[0]?.to).toEqual([to]);
    expect(deliveries[0]?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(deliveries[0]?.text).toContain('2 of 2');
    // The body is not kept once sent.
    expect(row.html).toBeNull();
  });

  it('fails a 422 (invalid address) at once, with Resend’s reason recorded', async () => {
    const id = await enqueue(api, uniqueEmail('invalid'));
    const row = await settled(api, id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/422 validation_error/);
    expect(fake.requestsFor(id)).toEqual([422]);
  });

  it('retries a 429 and then sends', async () => {
    const id = await enqueue(api, uniqueEmail('throttle'));
    const row = await settled(api, id);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(2);
    expect(fake.requestsFor(id)).toEqual([429, 200]);
    expect(fake.deliveriesFor(id)).toHaveLength(1);
  });

  it('retries two 500s and then sends', async () => {
    const id = await enqueue(api, uniqueEmail('flaky'));
    const row = await settled(api, id);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(3);
    expect(fake.requestsFor(id)).toEqual([500, 500, 200]);
    expect(fake.deliveriesFor(id)).toHaveLength(1);
  });

  it('answers a replayed Idempotency-Key with the first id and delivers nothing more', async () => {
    const id = await enqueue(api, uniqueEmail('replay'));
    const row = await settled(api, id);
    const { Resend } = await import('resend');
    const client = new Resend(API_KEY, { baseUrl: fake.url });
    const again = await client.emails.send(
      { from: 'a@example.test', to: ['replay@example.test'], subject: 's', text: 't' },
      { idempotencyKey: id },
    );
    expect(again.data?.id).toBe(row.provider_id);
    expect(fake.deliveriesFor(id)).toHaveLength(1);
  });
});

describe('a worker killed between the send and marking it sent', () => {
  const fake = new FakeResend(API_KEY);
  let api: TestApi;
  let env: NodeJS.ProcessEnv;
  const workers: WorkerProcess[] = [];

  let db: SuiteDatabase;

  beforeAll(async () => {
    await fake.start();
    db = await suiteDatabase('email_resend');
    env = {
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: suitePrefix('email-kill'),
      EMAIL_DRIVER: 'resend',
      RESEND_API_KEY: API_KEY,
      RESEND_BASE_URL: fake.url,
      EVENTS_POLL_MS: '100',
      EMAIL_BACKOFF_MS: '50',
      EMAIL_SEND_RATE_PER_SECOND: '100',
      JOB_LOCK_MS: '2000',
    };
    api = await startApi(env);
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) await worker.kill();
    await api?.close();
    await fake.stop();
    await db?.drop();
  });

  it('does not make Resend deliver twice: the retry carries the same Idempotency-Key', async () => {
    workers.push(await startWorkerProcess(env));
    const id = await enqueue(api, uniqueEmail('hold'));
    const until = Date.now() + 60_000;
    while (fake.deliveriesFor(id).length === 0) {
      if (Date.now() > until) throw new Error('the worker never sent the message');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Delivered by Resend, the answer still on its way: the worker dies.
    await workers[0]?.kill();
    const [before] = (await api.db.query(`SELECT status FROM email_messages WHERE id = $1`, [
      id,
    ])) as Array<{ status: string }>;
    expect(before?.status).toBe('queued');

    workers.push(await startWorkerProcess(env));
    const row = await settled(api, id, 90_000);
    expect(row.status).toBe('sent');
    expect(fake.requestsFor(id)).toEqual([0, 200]);
    expect(fake.deliveriesFor(id)).toHaveLength(1);
    expect(row.provider_id).toBe(fake.deliveriesFor(id)[0]?.id);
  }, 180_000);
});
