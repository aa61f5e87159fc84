import { Webhook } from 'standardwebhooks';
import { startApi, type TestApi } from '../support/app';
import { bearer, newUser } from '../support/factories';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { suitePrefix } from '../support/test-env';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

describe('a webhook delivery survives its worker', () => {
  let api: TestApi;
  let db: SuiteDatabase;
  let hooks: WebhookReceiver;
  let workers: WorkerProcess[] = [];
  const env: NodeJS.ProcessEnv = {
    REDIS_KEY_PREFIX: suitePrefix('webhooks-durable'),
    EVENTS_POLL_MS: '100',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // A dead worker's lock lapses within a second, and a live one notices the stalled job.
    JOB_LOCK_MS: '1000',
  };

  beforeAll(async () => {
    db = await suiteDatabase('webhooks_durable');
    env.DATABASE_URL = db.url;
    api = await startApi(env);
  });

  afterAll(async () => {
    for (const worker of workers) await worker.kill();
    workers = [];
    await hooks?.close();
    await api?.close();
    await db?.drop();
  });

  it('delivers (at least once, same webhook-id) after the worker is SIGKILLed mid-delivery', async () => {
    // The first request is held open: the worker is killed while it waits for the answer.
    hooks = await startWebhookReceiver((n) => (n === 0 ? 'hang' : 200));
    const user = await newUser(api, 'durable');
    const created = await api
      .http()
      .post('/v1/webhooks')
      .set(...bearer(user.accessToken))
      .send({ url: hooks.url, events: ['job.succeeded'] });
    expect(created.status).toBe(201);
    workers.push(await startWorkerProcess(env));
    const sent = await api
      .http()
      .post(`/v1/webhooks/${created.body.id}/test`)
      .set(...bearer(user.accessToken));
    expect(sent.status).toBe(202);
    await hooks.waitFor(1);
    await workers[0]?.kill();

    workers.push(await startWorkerProcess(env));
    const [first, second] = await hooks.waitFor(2, () => true, 30_000);
    if (!first || !second) throw new Error('unreachable');
    expect(second.headers['webhook-id']).toBe(sent.body.eventId);
    expect(first.headers['webhook-id']).toBe(sent.body.eventId);
    const payload = new Webhook(created.body.secret).verify(second.body, {
      'webhook-id': String(second.headers['webhook-id']),
      'webhook-timestamp': String(second.headers['webhook-timestamp']),
      'webhook-signature': String(second.headers['webhook-signature']),
    });
    expect(payload).toMatchObject({ type: 'webhook.test' });
    // The killed attempt left no record; the one that got its answer did.
    for (let i = 0; i < 100; i += 1) {
      const rows = await api.db.query(
        `SELECT status, response_status FROM webhook_deliveries WHERE event_id = $1`,
        [sent.body.eventId],
      );
      if (rows.length > 0) {
        expect(rows).toEqual([{ status: 'succeeded', response_status: 200 }]);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the delivery was never recorded');
  });
});
