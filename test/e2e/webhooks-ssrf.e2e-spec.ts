import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { loadConfig } from '../support/config';
import { bearer, newUser, type TestUser } from '../support/factories';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * With private targets refused (WEBHOOK_ALLOW_PRIVATE=false, as in production), loopback is
 * refused when an endpoint is created and again when a delivery is about to go (a name that
 * resolved elsewhere at creation may point at loopback by then). Every receiver here is on
 * 127.0.0.1 and none may hear a thing; no test reaches any address outside loopback.
 */
describe('webhooks refuse private targets (SSRF)', () => {
  let api: TestApi;
  let worker: WorkerApp;
  let db: SuiteDatabase;
  let user: TestUser;
  let hooks: WebhookReceiver;
  let second: WebhookReceiver;
  const env: NodeJS.ProcessEnv = {
    REDIS_KEY_PREFIX: suitePrefix('webhooks-ssrf'),
    EVENTS_POLL_MS: '100',
    WEBHOOK_ALLOW_PRIVATE: 'false',
    WEBHOOK_RETRY_SCHEDULE: '100ms',
  };

  beforeAll(async () => {
    db = await suiteDatabase('webhooks_ssrf');
    env.DATABASE_URL = db.url;
    api = await startApi(env);
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
    user = await newUser(api, 'ssrf');
    second = await startWebhookReceiver();
    // A loopback receiver that answers 302 to another loopback port.
    hooks = await startWebhookReceiver(() => (res) => {
      res.writeHead(302, { location: `${second.url}/` }).end();
    });
  });

  afterAll(async () => {
    await hooks?.close();
    await second?.close();
    await worker?.close();
    await api?.close();
    await db?.drop();
  });

  it.each([
    [
      'http://127.0.0.1 (a receiver answering 302 to another loopback port)',
      () => `${hooks.url}/in`,
    ],
    ['a loopback https URL', () => `https://127.0.0.1:${hooks.port}/in`],
    ['a host name resolving to loopback', () => `https://localhost:${hooks.port}/in`],
    ['an IPv6 loopback https URL', () => `https://[::1]:${hooks.port}/in`],
    ['a mapped IPv4 loopback https URL', () => `https://[::ffff:127.0.0.1]:${hooks.port}/in`],
  ])('refuses to create an endpoint at %s', async (_label, url) => {
    const res = await api
      .http()
      .post('/v1/webhooks')
      .set(...bearer(user.accessToken))
      .send({ url: url(), events: ['job.succeeded'] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.details).toEqual([
      { field: 'url', message: expect.any(String), constraint: 'isPublicUrl' },
    ]);
    const changed = await api
      .http()
      .get('/v1/webhooks')
      .set(...bearer(user.accessToken));
    expect(changed.body.data).toEqual([]);
  });

  it.each([
    ['http://127.0.0.1 (the 302 receiver)', () => `${hooks.url}/in`],
    ['a host name now resolving to loopback', () => `https://localhost:${hooks.port}/in`],
  ])(
    'refuses at delivery an endpoint whose URL now points at %s, and never connects',
    async (_label, url) => {
      // As if the URL had passed at creation and its name was re-pointed since (DNS rebinding):
      // the row is written directly, the secret is never needed because nothing is sent.
      const [row] = (await api.db.query(
        `INSERT INTO webhook_endpoints (id, user_id, url, events, secret)
         VALUES (gen_random_uuid(), $1, $2, ARRAY['job.succeeded'], 'v1.unused.unused.unused')
         RETURNING id`,
        [user.id, url()],
      )) as Array<{ id: string }>;
      if (!row) throw new Error('unreachable');
      const sent = await api
        .http()
        .post(`/v1/webhooks/${row.id}/test`)
        .set(...bearer(user.accessToken));
      expect(sent.status).toBe(202);
      let recorded: Array<{ status: string; error: string | null; responseStatus: number | null }> =
        [];
      for (let i = 0; i < 200 && recorded.length < 2; i += 1) {
        await sleep(50);
        recorded = (
          await api
            .http()
            .get(`/v1/webhooks/${row.id}/deliveries`)
            .set(...bearer(user.accessToken))
        ).body.data;
      }
      // Both attempts (the first and its one retry) refused before any connection.
      expect(recorded).toHaveLength(2);
      for (const delivery of recorded)
        expect(delivery).toMatchObject({
          status: 'failed',
          responseStatus: null,
          error: expect.stringMatching(/^refused: /),
        });
      expect(hooks.received).toHaveLength(0);
      expect(second.received).toHaveLength(0);
    },
  );
});
