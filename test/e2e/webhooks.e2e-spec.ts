import { get as httpGet, type ServerResponse } from 'node:http';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Webhook } from 'standardwebhooks';
import { JobEnded } from '@jewelshot/ai-jobs';
import { Events, RowScope } from '@jewelshot/platform';
import { WebhookDeliverer, WebhookHistory } from '@jewelshot/webhooks';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { submit, waitTerminal } from '../support/ai';
import { startApi, type TestApi } from '../support/app';
import { loadConfig } from '../support/config';
import { bearer, newApiKey, newUser, type TestUser } from '../support/factories';
import { freePort } from '../support/free-port';
import { mailTo, newOutboxDir } from '../support/outbox';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '../support/webhook-receiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Created {
  id: string;
  secret: string;
}

/** Verifies a delivery as an integrator would, with the standardwebhooks package. */
function verify(
  secret: string,
  hook: ReceivedWebhook,
): { type: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(hook.body, {
    'webhook-id': String(hook.headers['webhook-id']),
    'webhook-timestamp': String(hook.headers['webhook-timestamp']),
    'webhook-signature': String(hook.headers['webhook-signature']),
  }) as { type: string; data: Record<string, unknown> };
}

describe('webhooks (Standard Webhooks), delivered by the worker', () => {
  let api: TestApi;
  let worker: WorkerApp;
  let db: SuiteDatabase;
  let workerPort: number;
  const receivers: WebhookReceiver[] = [];
  const outbox = newOutboxDir();
  const env: NodeJS.ProcessEnv = {
    REDIS_KEY_PREFIX: suitePrefix('webhooks'),
    OUTBOX_DIR: outbox,
    EVENTS_POLL_MS: '100',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms',
    WEBHOOK_MAX_ENDPOINTS: '3',
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_CONCURRENCY: '4',
    WEBHOOK_USER_CONCURRENCY: '2',
    WEBHOOK_FAILING_USER_CONCURRENCY: '1',
    SIGNUP_CREDITS: '20',
  };

  beforeAll(async () => {
    db = await suiteDatabase('webhooks');
    env.DATABASE_URL = db.url;
    api = await startApi(env);
    workerPort = await freePort();
    worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        ...env,
        WORKER_HEALTH_PORT: String(workerPort),
        HOST: '127.0.0.1',
      }),
    );
  });

  afterAll(async () => {
    for (const receiver of receivers) await receiver.close();
    await worker?.close();
    await api?.close();
    await db?.drop();
  });

  /** The worker's `/metrics`: delivery attempts counted so far, and timed, by outcome. */
  async function deliveryFigures(): Promise<{
    attempts: Record<string, number>;
    timed: Record<string, number>;
  }> {
    const text = await new Promise<string>((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port: workerPort, path: '/metrics' }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}`)),
        );
      }).on('error', reject);
    });
    const read = (name: string): Record<string, number> => {
      const values: Record<string, number> = {};
      for (const match of text.matchAll(new RegExp(`^${name}\\{outcome="(\\w+)"\\} (\\S+)$`, 'gm')))
        values[match[1]] = Number(match[2]);
      return values;
    };
    return {
      attempts: read('jewelshot_webhook_deliveries_total'),
      timed: read('jewelshot_webhook_delivery_duration_seconds_count'),
    };
  }

  async function receiver(...args: Parameters<typeof startWebhookReceiver>) {
    const started = await startWebhookReceiver(...args);
    receivers.push(started);
    return started;
  }

  async function create(user: TestUser, body: object): Promise<Created> {
    const res = await api
      .http()
      .post('/v1/webhooks')
      .set(...bearer(user.accessToken))
      .send(body);
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Created;
  }

  async function deliveries(user: TestUser, endpointId: string) {
    const res = await api
      .http()
      .get(`/v1/webhooks/${endpointId}/deliveries`)
      .set(...bearer(user.accessToken));
    expect(res.status).toBe(200);
    return res.body.data as Array<{
      id: string;
      eventId: string;
      eventType: string | null;
      attempt: number;
      status: string;
      responseStatus: number | null;
      responseBody: string | null;
      error: string | null;
    }>;
  }

  async function waitDeliveries(user: TestUser, endpointId: string, count: number) {
    for (let i = 0; i < 200; i += 1) {
      const list = await deliveries(user, endpointId);
      if (list.length >= count) return list;
      await sleep(50);
    }
    throw new Error(`fewer than ${count} deliveries recorded`);
  }

  it('creates an endpoint with its secret shown once, lists and changes it, and hides it from other users', async () => {
    const owner = await newUser(api, 'wh-owner');
    const other = await newUser(api, 'wh-other');
    const res = await api
      .http()
      .post('/v1/webhooks')
      .set(...bearer(owner.accessToken))
      .send({ url: 'http://127.0.0.1:9/hooks', events: ['job.succeeded'], description: 'shop' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      url: 'http://127.0.0.1:9/hooks',
      events: ['job.succeeded'],
      description: 'shop',
      enabled: true,
    });
    expect(res.body.secret).toMatch(/^whsec_/);
    // At rest the secret is sealed, not stored as given.
    const [stored] = await api.db.query(`SELECT secret FROM webhook_endpoints WHERE id = $1`, [
      res.body.id,
    ]);
    expect(stored.secret).not.toContain(res.body.secret.slice(6));

    const list = await api
      .http()
      .get('/v1/webhooks')
      .set(...bearer(owner.accessToken));
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).not.toHaveProperty('secret');

    const patched = await api
      .http()
      .patch(`/v1/webhooks/${res.body.id}`)
      .set(...bearer(owner.accessToken))
      .send({ events: ['job.failed', 'credits.low'] });
    expect(patched.status).toBe(200);
    expect(patched.body.events).toEqual(['job.failed', 'credits.low']);
    // A field may be left out, never sent as null: each is a 400 that changes nothing (a null
    // description was a 500; null events stored none, past "at least one").
    for (const field of ['url', 'events', 'description', 'enabled']) {
      const refused = await api
        .http()
        .patch(`/v1/webhooks/${res.body.id}`)
        .set(...bearer(owner.accessToken))
        .send({ [field]: null });
      expect({ field, status: refused.status, code: refused.body.code }).toEqual({
        field,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
    }
    const unchanged = await api
      .http()
      .get(`/v1/webhooks/${res.body.id}`)
      .set(...bearer(owner.accessToken));
    expect(unchanged.body).toMatchObject({
      events: ['job.failed', 'credits.low'],
      enabled: true,
      url: patched.body.url,
      description: patched.body.description,
    });

    for (const [method, path] of [
      ['get', `/v1/webhooks/${res.body.id}`],
      ['patch', `/v1/webhooks/${res.body.id}`],
      ['delete', `/v1/webhooks/${res.body.id}`],
      ['post', `/v1/webhooks/${res.body.id}/rotate-secret`],
      ['post', `/v1/webhooks/${res.body.id}/test`],
      ['get', `/v1/webhooks/${res.body.id}/deliveries`],
    ] as const) {
      const foreign = await api
        .http()
        [method](path)
        .set(...bearer(other.accessToken))
        .send(method === 'patch' ? { description: 'mine now' } : undefined);
      expect({ method, path, status: foreign.status }).toEqual({ method, path, status: 404 });
    }
    const otherList = await api
      .http()
      .get('/v1/webhooks')
      .set(...bearer(other.accessToken));
    expect(otherList.body.data).toEqual([]);

    const removed = await api
      .http()
      .delete(`/v1/webhooks/${res.body.id}`)
      .set(...bearer(owner.accessToken));
    expect(removed.status).toBe(204);
    const after = await api
      .http()
      .get('/v1/webhooks')
      .set(...bearer(owner.accessToken));
    expect(after.body.data).toEqual([]);
  });

  it('refuses unknown events, an empty list, an over-long URL, and more endpoints than allowed', async () => {
    const user = await newUser(api, 'wh-validate');
    const send = (body: object) =>
      api
        .http()
        .post('/v1/webhooks')
        .set(...bearer(user.accessToken))
        .send(body);
    const unknown = await send({ url: 'http://127.0.0.1:9/', events: ['job.exploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('VALIDATION_ERROR');
    expect((await send({ url: 'http://127.0.0.1:9/', events: [] })).status).toBe(400);
    const long = `http://127.0.0.1:9/${'a'.repeat(2100)}`;
    expect((await send({ url: long, events: ['job.failed'] })).status).toBe(400);
    expect((await send({ url: 'not a url', events: ['job.failed'] })).status).toBe(400);
    // A description is text or absent, as PATCH has it: null is not taken for ''.
    const nullDescription = await send({
      url: 'http://127.0.0.1:9/',
      events: ['job.failed'],
      description: null,
    });
    expect(nullDescription.status).toBe(400);
    expect(nullDescription.body.details).toEqual([
      expect.objectContaining({ field: 'description', constraint: 'isDefined' }),
    ]);
    for (let i = 0; i < 3; i += 1)
      expect((await send({ url: `http://127.0.0.1:9/${i}`, events: ['job.failed'] })).status).toBe(
        201,
      );
    const fourth = await send({ url: 'http://127.0.0.1:9/4', events: ['job.failed'] });
    expect(fourth.status).toBe(409);
    expect(fourth.body).toMatchObject({ code: 'CONFLICT', details: { limit: 3 } });
  });

  it('delivers job.succeeded, signed so standardwebhooks verifies it, with the job as GET /v1/ai/jobs/{id} shows it', async () => {
    const user = await newUser(api, 'wh-job');
    const hooks = await receiver();
    const endpoint = await create(user, { url: `${hooks.url}/in`, events: ['job.succeeded'] });
    const job = await submit(api, user, { operation: 'generate', params: { prompt: 'ring' } });
    expect(job.status).toBe(202);
    await waitTerminal(api, [job.body.id]);

    const [hook] = await hooks.waitFor(1);
    if (!hook) throw new Error('unreachable');
    expect(hook.path).toBe('/in');
    expect(hook.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    const payload = verify(endpoint.secret, hook);
    expect(payload.type).toBe('job.succeeded');
    const shown = await api
      .http()
      .get(`/v1/ai/jobs/${job.body.id}`)
      .set(...bearer(user.accessToken));
    const { outputs: shownOutputs, ...shownRest } = shown.body;
    const { outputs, ...rest } = payload.data as {
      outputs: Array<{ fileId: string; url: string }>;
    };
    expect(rest).toEqual(shownRest);
    expect(outputs.map((o) => o.fileId)).toEqual(
      (shownOutputs as Array<{ fileId: string }>).map((o) => o.fileId),
    );
    // A signed link that works for whoever holds it: the integrator downloads the result.
    const output = outputs[0];
    if (!output) throw new Error('the job has no output');
    const download = await api
      .http()
      .get(new URL(output.url, 'http://x').pathname + new URL(output.url, 'http://x').search);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toMatch(/^image\//);

    const recorded = await waitDeliveries(user, endpoint.id, 1);
    expect(recorded[0]).toMatchObject({
      attempt: 1,
      status: 'succeeded',
      responseStatus: 200,
      responseBody: 'answer 200',
      eventId: hook.headers['webhook-id'],
    });
  });

  it("lets an API key send events only where it could read them: webhooks:manage alone neither subscribes to a job's nor re-points or retries one", async () => {
    const user = await newUser(api, 'wh-scopes');
    const hooks = await receiver();
    const manage = await newApiKey(api, user, ['webhooks:manage'], 'manage only');
    const reader = await newApiKey(api, user, ['webhooks:manage', 'jobs:read'], 'jobs reader');
    const asKey = (key: string): [string, string] => ['Authorization', `Bearer ${key}`];
    const refused = (res: { status: number; body: unknown }, scope: string) =>
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 403,
        body: { code: 'INSUFFICIENT_SCOPE', details: { scope } },
      });

    for (const [events, scope] of [
      [['job.succeeded'], 'jobs:read'],
      [['batch.finished'], 'jobs:read'],
      [['credits.low'], 'credits:read'],
    ] as const)
      refused(
        await api
          .http()
          .post('/v1/webhooks')
          .set(...asKey(manage))
          .send({ url: `${hooks.url}/mine`, events }),
        scope,
      );
    refused(
      await api
        .http()
        .post('/v1/webhooks')
        .set(...asKey(reader))
        .send({ url: `${hooks.url}/mine`, events: ['job.failed', 'credits.low'] }),
      'credits:read',
    );
    const own = await api
      .http()
      .post('/v1/webhooks')
      .set(...asKey(reader))
      .send({ url: `${hooks.url}/mine`, events: ['job.failed'] });
    expect(own.status).toBe(201);

    // The owner's endpoint, its job.succeeded delivered once.
    const endpoint = await create(user, { url: `${hooks.url}/owner`, events: ['job.succeeded'] });
    const job = await submit(api, user, { operation: 'generate', params: { prompt: 'ring' } });
    await waitTerminal(api, [job.body.id]);
    await hooks.waitFor(1);
    const [delivery] = await waitDeliveries(user, endpoint.id, 1);
    if (!delivery) throw new Error('unreachable');

    const patch = (key: string, body: object) =>
      api
        .http()
        .patch(`/v1/webhooks/${endpoint.id}`)
        .set(...asKey(key))
        .send(body);
    refused(await patch(manage, { url: `${hooks.url}/stolen` }), 'jobs:read');
    refused(await patch(manage, { events: ['credits.low'] }), 'credits:read');
    refused(await patch(reader, { events: ['credits.low'] }), 'credits:read');
    // The secret signs the endpoint's events: whoever holds it can forge some to its receiver.
    const rotate = (key: string) =>
      api
        .http()
        .post(`/v1/webhooks/${endpoint.id}/rotate-secret`)
        .set(...asKey(key));
    refused(await rotate(manage), 'jobs:read');
    const retry = (key: string) =>
      api
        .http()
        .post(`/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry`)
        .set(...asKey(key));
    refused(await retry(manage), 'jobs:read');
    // Nothing else changed, and nothing was sent again.
    const [row] = await api.db.query(
      'SELECT url, events, previous_secret FROM webhook_endpoints WHERE id = $1',
      [endpoint.id],
    );
    expect(row).toEqual({
      url: `${hooks.url}/owner`,
      events: ['job.succeeded'],
      previous_secret: null,
    });
    expect(await deliveries(user, endpoint.id)).toHaveLength(1);

    // What carries no event data stays with webhooks:manage; the read scope opens the rest.
    expect((await patch(manage, { description: 'shop sync' })).status).toBe(200);
    expect((await patch(reader, { url: `${hooks.url}/moved` })).status).toBe(200);
    expect((await retry(reader)).status).toBe(202);
    await waitDeliveries(user, endpoint.id, 2);
    expect((await rotate(reader)).status).toBe(200);
  });

  it('sends no more of an event an endpoint has unsubscribed from: its pending retries are skipped', async () => {
    const user = await newUser(api, 'wh-unsubscribed');
    let release: () => void = () => undefined;
    // The first attempt is held until the endpoint has changed, then refused (500).
    const hooks = await receiver((n) =>
      n === 0
        ? (res: ServerResponse) => {
            release = () => res.writeHead(500).end('not now');
          }
        : 500,
    );
    const endpoint = await create(user, {
      url: `${hooks.url}/in`,
      events: ['job.succeeded', 'credits.low'],
    });
    const job = await submit(api, user, { operation: 'generate', params: { prompt: 'ring' } });
    await waitTerminal(api, [job.body.id]);
    await hooks.waitFor(1);
    const narrowed = await api
      .http()
      .patch(`/v1/webhooks/${endpoint.id}`)
      .set(...bearer(user.accessToken))
      .send({ events: ['credits.low'] });
    expect(narrowed.status).toBe(200);
    release();
    await waitDeliveries(user, endpoint.id, 1);
    // Three retries 200 ms apart would have come by now.
    await sleep(2000);
    expect(hooks.received).toHaveLength(1);
    expect(await deliveries(user, endpoint.id)).toHaveLength(1);
  });

  it('retries a receiver that answers 500 twice: three deliveries, one webhook-id, counted in /metrics', async () => {
    const user = await newUser(api, 'wh-retry');
    // Earlier tests delivered in this process too: the figures are read as deltas.
    const before = await deliveryFigures();
    const hooks = await receiver((n) => (n < 2 ? 500 : 200));
    const endpoint = await create(user, { url: hooks.url, events: ['job.succeeded'] });
    const job = await submit(api, user, { operation: 'generate', params: { prompt: 'ring' } });
    await waitTerminal(api, [job.body.id]);
    const received = await hooks.waitFor(3);
    await sleep(600);
    expect(hooks.received).toHaveLength(3);
    expect(new Set(received.map((h) => h.headers['webhook-id'])).size).toBe(1);
    for (const hook of received) expect(verify(endpoint.secret, hook).type).toBe('job.succeeded');
    const recorded = await waitDeliveries(user, endpoint.id, 3);
    expect(
      recorded
        .map((d) => [d.attempt, d.status, d.responseStatus])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
    ).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'succeeded', 200],
    ]);
    // Each attempt is counted before its row is written, so the three rows mean three counts.
    const after = await deliveryFigures();
    const delta = (figures: Record<string, number>, was: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(figures)
          .map(([outcome, value]) => [outcome, value - (was[outcome] ?? 0)])
          .filter(([, value]) => value !== 0),
      );
    expect(delta(after.attempts, before.attempts)).toEqual({ failed: 2, succeeded: 1 });
    expect(delta(after.timed, before.timed)).toEqual({ failed: 2, succeeded: 1 });
    const [endpointRow] = await api.db.query(
      `SELECT failing_since FROM webhook_endpoints WHERE id = $1`,
      [endpoint.id],
    );
    expect(endpointRow.failing_since).toBeNull();
  });

  it('announces nothing for an end whose transaction rolled back', async () => {
    const user = await newUser(api, 'wh-rollback');
    const hooks = await receiver();
    await create(user, { url: hooks.url, events: ['job.succeeded', 'job.failed'] });
    const first = await submit(api, user, { operation: 'generate', params: { prompt: 'one' } });
    await waitTerminal(api, [first.body.id]);
    await hooks.waitFor(1);

    // The job's end announced again, in a transaction that then rolls back (as a settle that
    // fails after publishing would): the outbox row goes with it.
    const txHost =
      worker.context.get<TransactionHost<TransactionalAdapterTypeOrm>>(TransactionHost);
    await expect(
      worker.context.get(RowScope).run(user.id, () =>
        txHost.withTransaction(async () => {
          await worker.context
            .get(Events)
            .publish(new JobEnded({ jobId: first.body.id, userId: user.id, status: 'failed' }));
          throw new Error('the settle failed after publishing');
        }),
      ),
    ).rejects.toThrow('the settle failed after publishing');

    // A later job is announced; the rolled-back one never is.
    const second = await submit(api, user, { operation: 'generate', params: { prompt: 'two' } });
    await waitTerminal(api, [second.body.id]);
    await hooks.waitFor(2);
    await sleep(800);
    const announced = hooks.received.map((h) => {
      const body = JSON.parse(h.body) as { type: string; data: { id: string } };
      return [body.type, body.data.id];
    });
    expect(announced).toEqual([
      ['job.succeeded', first.body.id],
      ['job.succeeded', second.body.id],
    ]);
  });

  it('does not follow a redirect: a 302 is a failed delivery and its target hears nothing', async () => {
    const user = await newUser(api, 'wh-redirect');
    const target = await receiver();
    const redirecting = await receiver(() => (res) => {
      res.writeHead(302, { location: `${target.url}/stolen` }).end();
    });
    const endpoint = await create(user, { url: redirecting.url, events: ['job.succeeded'] });
    const sent = await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/test`)
      .set(...bearer(user.accessToken));
    expect(sent.status).toBe(202);
    await redirecting.waitFor(1);
    const [first] = await waitDeliveries(user, endpoint.id, 1);
    expect(first).toMatchObject({ status: 'failed', responseStatus: 302 });
    await sleep(800);
    expect(target.received).toHaveLength(0);
  });

  it('records an answer whose body holds a NUL character, once (it was redelivered, never recorded)', async () => {
    const user = await newUser(api, 'wh-nul');
    const answering = await receiver(() => (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\u0000nul');
    });
    const endpoint = await create(user, { url: answering.url, events: ['credits.low'] });
    const sent = await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/test`)
      .set(...bearer(user.accessToken));
    expect(sent.status).toBe(202);
    const [recorded] = await waitDeliveries(user, endpoint.id, 1);
    expect(recorded).toMatchObject({
      attempt: 1,
      status: 'succeeded',
      responseStatus: 200,
      responseBody: 'ok\uFFFDnul',
    });
    await sleep(800);
    expect(answering.received).toHaveLength(1);
  });

  it('sends a test event on request and retries a delivery by hand with the same webhook-id', async () => {
    const user = await newUser(api, 'wh-test');
    const hooks = await receiver();
    const endpoint = await create(user, { url: hooks.url, events: ['credits.low'] });
    const sent = await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/test`)
      .set(...bearer(user.accessToken));
    expect(sent.status).toBe(202);
    const [hook] = await hooks.waitFor(1);
    if (!hook) throw new Error('unreachable');
    expect(hook.headers['webhook-id']).toBe(sent.body.eventId);
    expect(verify(endpoint.secret, hook)).toMatchObject({
      type: 'webhook.test',
      data: { endpointId: endpoint.id },
    });
    const [delivery] = await waitDeliveries(user, endpoint.id, 1);
    if (!delivery) throw new Error('unreachable');
    const retried = await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry`)
      .set(...bearer(user.accessToken));
    expect(retried.status).toBe(202);
    const both = await hooks.waitFor(2);
    expect(both.map((h) => h.headers['webhook-id'])).toEqual([
      sent.body.eventId,
      sent.body.eventId,
    ]);
    const recorded = await waitDeliveries(user, endpoint.id, 2);
    expect(recorded.map((d) => d.attempt).sort()).toEqual([1, 2]);
    // Each attempt says what it delivered.
    expect(recorded.map((d) => d.eventType)).toEqual(['webhook.test', 'webhook.test']);
    const missing = await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/deliveries/00000000-0000-4000-8000-000000000000/retry`)
      .set(...bearer(user.accessToken));
    expect(missing.status).toBe(404);
  });

  it('refuses a test or a retry to a disabled endpoint (409), rather than accept and send nothing', async () => {
    const user = await newUser(api, 'wh-disabled');
    const hooks = await receiver();
    const endpoint = await create(user, { url: hooks.url, events: ['credits.low'] });
    const test = () =>
      api
        .http()
        .post(`/v1/webhooks/${endpoint.id}/test`)
        .set(...bearer(user.accessToken));
    await test().expect(202);
    const [delivery] = await waitDeliveries(user, endpoint.id, 1);
    if (!delivery) throw new Error('unreachable');
    await api
      .http()
      .patch(`/v1/webhooks/${endpoint.id}`)
      .set(...bearer(user.accessToken))
      .send({ enabled: false })
      .expect(200);
    const refused = await test();
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'WEBHOOK_ENDPOINT_DISABLED' },
    });
    const retry = await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry`)
      .set(...bearer(user.accessToken));
    expect(retry.status).toBe(409);
    expect(retry.body.details).toEqual({ reason: 'WEBHOOK_ENDPOINT_DISABLED' });
    await api
      .http()
      .patch(`/v1/webhooks/${endpoint.id}`)
      .set(...bearer(user.accessToken))
      .send({ enabled: true })
      .expect(200);
    await test().expect(202);
    expect(await hooks.waitFor(2)).toHaveLength(2);
  });

  it("tells the owner a connection's kind of failure, never the address it reached", async () => {
    const user = await newUser(api, 'wh-closed');
    const port = await freePort();
    const endpoint = await create(user, {
      url: `http://127.0.0.1:${port}/hooks`,
      events: ['credits.low'],
    });
    await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/test`)
      .set(...bearer(user.accessToken))
      .expect(202);
    const [first] = await waitDeliveries(user, endpoint.id, 1);
    expect(first).toMatchObject({ status: 'failed', error: 'connection failed: ECONNREFUSED' });
  });

  it('numbers attempts recorded at once apart (manual retries racing counted the same number)', async () => {
    const user = await newUser(api, 'wh-race');
    const hooks = await receiver();
    const endpoint = await create(user, { url: hooks.url, events: ['credits.low'] });
    const sent = await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/test`)
      .set(...bearer(user.accessToken))
      .expect(202);
    await waitDeliveries(user, endpoint.id, 1);
    // 25 more attempts of the same event to the same endpoint, recorded at once.
    const deliverer = worker.context.get(WebhookDeliverer);
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        worker.context
          .get(RowScope)
          .allUsers(() => deliverer.deliver(sent.body.eventId, endpoint.id)),
      ),
    );
    expect(results).toEqual(Array(25).fill('succeeded'));
    const recorded = (await api.db.query(
      'SELECT attempt FROM webhook_deliveries WHERE endpoint_id = $1',
      [endpoint.id],
    )) as Array<{ attempt: number }>;
    expect(recorded.map((d) => d.attempt).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 26 }, (_, i) => i + 1),
    );
  });

  /**
   * One user's endpoint holds every request it gets while another user's answers at once:
   * `sends` test events to the first (its endpoint `prepare`d first), then one to the other.
   * Gives the most requests the first endpoint had open before the other's arrived and at the
   * end, once the held ones are answered and all of them went out, and that endpoint.
   */
  async function heldWhileAnotherSends(
    sends: number,
    /** Requests the held endpoint should have open (its share) before the other user sends. */
    share: number,
    prepare: (endpointId: string) => Promise<unknown> = async () => undefined,
  ): Promise<{ beforeOther: number; atEnd: number; endpointId: string }> {
    const user = await newUser(api, 'wh-held');
    const otherUser = await newUser(api, 'wh-other');
    let holding = true;
    const held: ServerResponse[] = [];
    let open = 0;
    let mostOpen = 0;
    const holder = await receiver(() => (res) => {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      res.on('close', () => (open -= 1));
      if (holding) held.push(res);
      else res.writeHead(200).end('ok');
    });
    const other = await receiver();
    const endpoint = await create(user, { url: holder.url, events: ['credits.low'] });
    const otherEndpoint = await create(otherUser, { url: other.url, events: ['credits.low'] });
    await prepare(endpoint.id);
    const test = (owner: TestUser, endpointId: string) =>
      api
        .http()
        .post(`/v1/webhooks/${endpointId}/test`)
        .set(...bearer(owner.accessToken))
        .expect(202);
    for (let i = 0; i < sends; i += 1) await test(user, endpoint.id);
    await holder.waitFor(share);
    await test(otherUser, otherEndpoint.id);
    // The other user's delivery goes out while the first user's are still held.
    await other.waitFor(1);
    const beforeOther = mostOpen;
    holding = false;
    for (const res of held) if (!res.writableEnded) res.writeHead(200).end('ok');
    // Every one of them goes out in the end.
    let delivered = 0;
    for (let i = 0; i < 200 && delivered < sends; i += 1) {
      const list = await deliveries(user, endpoint.id);
      delivered = new Set(list.filter((d) => d.status === 'succeeded').map((d) => d.eventId)).size;
      if (delivered < sends) await sleep(50);
    }
    expect(delivered).toBe(sends);
    return { beforeOther, atEnd: mostOpen, endpointId: endpoint.id };
  }

  it("one user's slow endpoint takes only their share of the delivery workers; the others' go out meanwhile", async () => {
    // The worker sends 4 at once (WEBHOOK_CONCURRENCY), and 2 of one user's (WEBHOOK_USER_CONCURRENCY).
    expect(await heldWhileAnotherSends(5, 2)).toMatchObject({ beforeOther: 2, atEnd: 2 });
  });

  it('an endpoint in a failing run gets the smaller share: one delivery in flight here', async () => {
    // WEBHOOK_FAILING_USER_CONCURRENCY is 1 here; its last attempt failed a minute ago.
    const failing = (endpointId: string) =>
      api.db.query(
        `UPDATE webhook_endpoints SET failing_since = now() - interval '1 minute' WHERE id = $1`,
        [endpointId],
      );
    const { endpointId, ...figures } = await heldWhileAnotherSends(4, 1, failing);
    expect(figures).toEqual({ beforeOther: 1, atEnd: 1 });
    // Delivered, the endpoint's failing run is over.
    const [row] = await api.db.query('SELECT failing_since FROM webhook_endpoints WHERE id = $1', [
      endpointId,
    ]);
    expect(row.failing_since).toBeNull();
  });

  it('signs with both secrets for a day after a rotation, and both verify', async () => {
    const user = await newUser(api, 'wh-rotate');
    const hooks = await receiver();
    const endpoint = await create(user, { url: hooks.url, events: ['job.failed'] });
    const rotated = await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/rotate-secret`)
      .set(...bearer(user.accessToken));
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    const overlapEnds = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(overlapEnds - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(overlapEnds - Date.now()).toBeLessThanOrEqual(24 * 3600_000);

    await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/test`)
      .set(...bearer(user.accessToken));
    const [hook] = await hooks.waitFor(1);
    if (!hook) throw new Error('unreachable');
    const signatures = String(hook.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    for (const signature of signatures) expect(signature).toMatch(/^v1,/);
    expect(verify(rotated.body.secret, hook).type).toBe('webhook.test');
    expect(verify(endpoint.secret, hook).type).toBe('webhook.test');
    // Each signature alone is one of the two secrets' (not both from one).
    const alone = (signature: string) => ({
      ...hook,
      headers: { ...hook.headers, 'webhook-signature': signature },
    });
    const [a, b] = signatures as [string, string];
    expect(() => verify(rotated.body.secret, alone(a))).not.toThrow();
    expect(() => verify(endpoint.secret, alone(b))).not.toThrow();
    expect(() => verify(endpoint.secret, alone(a))).toThrow();

    // Once the overlap is over, only the new secret signs.
    await api.db.query(
      `UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
      [endpoint.id],
    );
    await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/test`)
      .set(...bearer(user.accessToken));
    const [, later] = await hooks.waitFor(2);
    if (!later) throw new Error('unreachable');
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => verify(endpoint.secret, later)).toThrow();
    expect(verify(rotated.body.secret, later).type).toBe('webhook.test');
  });

  it('signs with two secrets at most: a second rotation within the day ends the oldest at once', async () => {
    const user = await newUser(api, 'wh-rotate-twice');
    const hooks = await receiver();
    const endpoint = await create(user, { url: hooks.url, events: ['job.failed'] });
    const rotate = async () => {
      const res = await api
        .http()
        .post(`/v1/webhooks/${endpoint.id}/rotate-secret`)
        .set(...bearer(user.accessToken));
      expect(res.status).toBe(200);
      return res.body.secret as string;
    };
    const second = await rotate();
    const third = await rotate();
    await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/test`)
      .set(...bearer(user.accessToken))
      .expect(202);
    const [hook] = await hooks.waitFor(1);
    if (!hook) throw new Error('unreachable');
    expect(String(hook.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(third, hook).type).toBe('webhook.test');
    expect(verify(second, hook).type).toBe('webhook.test');
    expect(() => verify(endpoint.secret, hook)).toThrow();
  });

  it('disables an endpoint that has failed for five days straight and mails its owner', async () => {
    const user = await newUser(api, 'wh-disable');
    const hooks = await receiver(() => 503);
    const endpoint = await create(user, { url: hooks.url, events: ['job.failed'] });
    // The run of failures began six days ago (as if every delivery since had failed).
    await api.db.query(
      `UPDATE webhook_endpoints SET failing_since = now() - interval '6 days' WHERE id = $1`,
      [endpoint.id],
    );
    await api
      .http()
      .post(`/v1/webhooks/${endpoint.id}/test`)
      .set(...bearer(user.accessToken));
    await hooks.waitFor(1);
    for (let i = 0; i < 100; i += 1) {
      const res = await api
        .http()
        .get(`/v1/webhooks/${endpoint.id}`)
        .set(...bearer(user.accessToken));
      if (res.body.enabled === false) break;
      await sleep(50);
    }
    const shown = await api
      .http()
      .get(`/v1/webhooks/${endpoint.id}`)
      .set(...bearer(user.accessToken));
    expect(shown.body).toMatchObject({ enabled: false });
    expect(shown.body.disabledAt).not.toBeNull();
    const mail = await mailTo(
      outbox,
      (m) => m.to === user.email && m.template === 'webhook-disabled',
    );
    expect(mail.text).toContain(hooks.url);
    // Disabled: the remaining retries send nothing more.
    await sleep(1000);
    expect(hooks.received).toHaveLength(1);

    // Enabled again by its owner, it starts a new run.
    const enabled = await api
      .http()
      .patch(`/v1/webhooks/${endpoint.id}`)
      .set(...bearer(user.accessToken))
      .send({ enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, failingSince: null, disabledAt: null });
  });

  it('deletes events and delivery attempts older than WEBHOOK_KEEP_DAYS, and keeps the rest', async () => {
    const user = await newUser(api, 'wh-prune');
    const hooks = await receiver();
    const endpoint = await create(user, { url: hooks.url, events: ['job.failed'] });
    for (let i = 0; i < 2; i += 1)
      await api
        .http()
        .post(`/v1/webhooks/${endpoint.id}/test`)
        .set(...bearer(user.accessToken));
    await waitDeliveries(user, endpoint.id, 2);
    const [old] = (await api.db.query(
      `SELECT event_id FROM webhook_deliveries WHERE endpoint_id = $1 LIMIT 1`,
      [endpoint.id],
    )) as Array<{ event_id: string }>;
    if (!old) throw new Error('unreachable');
    await api.db.query(
      `UPDATE webhook_deliveries SET created_at = now() - interval '31 days' WHERE event_id = $1`,
      [old.event_id],
    );
    await api.db.query(
      `UPDATE webhook_events SET created_at = now() - interval '31 days' WHERE id = $1`,
      [old.event_id],
    );
    const pruned = await worker.context.get(WebhookHistory).prune();
    expect(pruned.events).toBeGreaterThanOrEqual(1);
    expect(pruned.deliveries).toBeGreaterThanOrEqual(1);
    const left = (await deliveries(user, endpoint.id)).map((d) => d.eventId);
    expect(left).toHaveLength(1);
    expect(left).not.toContain(old.event_id);
    const events = await api.db.query(`SELECT id FROM webhook_events WHERE id = $1`, [
      old.event_id,
    ]);
    expect(events).toEqual([]);
  });
});
