import { loadConfig } from '../support/config';
import { createWorker } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { expectLedgerClean, fund, upload, waitTerminal } from '../support/ai';
import { bearer, newUser, type TestUser } from '../support/factories';
import { smallPng } from '../support/images';
import { baseTestEnv, suitePrefix } from '../support/test-env';

describe('batches', () => {
  let api: TestApi;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    env = { REDIS_KEY_PREFIX: suitePrefix('batches'), SIGNUP_CREDITS: '0' };
    api = await startApi(env);
  });

  afterAll(async () => {
    await api.close();
  });

  const images = async (user: TestUser, count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1)
      ids.push((await upload(api, user, await smallPng(40 + i, 30))).body.id);
    return ids;
  };
  const createBatch = (user: TestUser, body: object) =>
    api
      .http()
      .post('/v1/batches')
      .set(...bearer(user.accessToken))
      .send(body);

  it('creates nothing when the credits cover 7 of 10 items: 402 with needed and available', async () => {
    const user = await newUser(api);
    await fund(api, user, 14);
    const ids = await images(user, 10);
    const res = await createBatch(user, {
      name: 'too big',
      operation: 'upscale',
      params: { scale: 2 },
      inputImageIds: ids,
    });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      details: { needed: 20, available: 14 },
    });
    const db = api.db;
    expect(await db.query('SELECT id FROM batches WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await db.query('SELECT id FROM ai_jobs WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await db.query('SELECT id FROM credit_holds WHERE user_id = $1', [user.id])).toEqual([]);
  });

  it('refuses an inputImageId in the params (each item takes its image from inputImageIds) and unknown params, as a job does', async () => {
    const user = await newUser(api);
    await fund(api, user, 4);
    const ids = await images(user, 2);
    const named = await createBatch(user, {
      name: 'one image named twice',
      operation: 'upscale',
      params: { inputImageId: ids[0] },
      inputImageIds: ids,
    });
    expect(named.status).toBe(400);
    expect(named.body.details).toEqual([expect.objectContaining({ field: 'params.inputImageId' })]);
    const unknown = await createBatch(user, {
      name: 'unknown param',
      operation: 'upscale',
      params: { scale: 2, sharpen: true },
      inputImageIds: ids,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([expect.objectContaining({ field: 'params.sharpen' })]);
    expect(await api.db.query('SELECT id FROM batches WHERE user_id = $1', [user.id])).toEqual([]);
  });

  it('creates the batch, its jobs and holds together, runs them in parallel and reports progress', async () => {
    const user = await newUser(api);
    await fund(api, user, 6);
    const ids = await images(user, 6);
    const res = await createBatch(user, {
      name: 'six rings',
      operation: 'remove-background',
      params: {},
      inputImageIds: ids,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'six rings',
      total: 6,
      progress: { total: 6, queued: 6 },
    });
    expect(res.body.items).toHaveLength(6);
    for (const item of res.body.items)
      expect(item).toMatchObject({ status: 'queued', priority: 'low', batchId: res.body.id });

    const worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        ...env,
        WORKER_CONCURRENCY: '6',
        LOCAL_PROVIDER_LATENCY_MS: '300',
      }),
    );
    try {
      const rows = await waitTerminal(
        api,
        res.body.items.map((item: { id: string }) => item.id),
      );
      expect(rows.every((row) => row.status === 'succeeded')).toBe(true);
      // In parallel: at some moment several items were running at once.
      const spans = (await api.db.query(
        `SELECT started_at, finished_at FROM ai_jobs WHERE batch_id = $1`,
        [res.body.id],
      )) as Array<{
        started_at: Date;
        finished_at: Date;
      }>;
      const overlap = Math.max(
        ...spans.map(
          (a) =>
            spans.filter((b) => b.started_at <= a.started_at && a.started_at < b.finished_at)
              .length,
        ),
      );
      expect(overlap).toBeGreaterThanOrEqual(3);
    } finally {
      await worker.close();
    }
    const done = await api
      .http()
      .get(`/v1/batches/${res.body.id}`)
      .set(...bearer(user.accessToken));
    expect(done.body.progress).toEqual({
      total: 6,
      queued: 0,
      running: 0,
      succeeded: 6,
      failed: 0,
      canceled: 0,
    });
    expect(done.body.items[0].outputs).toHaveLength(1);
    const list = await api
      .http()
      .get('/v1/batches')
      .set(...bearer(user.accessToken));
    // The list carries each batch's counts, so a client needs no read per batch.
    expect(list.body.data).toEqual([
      expect.objectContaining({ id: res.body.id, progress: done.body.progress }),
    ]);
    await expectLedgerClean(api);
  });

  it('cancels and refunds what has not started', async () => {
    const user = await newUser(api);
    await fund(api, user, 3);
    const ids = await images(user, 3);
    const { body: batch } = await createBatch(user, {
      name: 'cancel',
      operation: 'upscale',
      params: { scale: 4 },
      inputImageIds: ids.slice(0, 1),
    });
    const res = await api
      .http()
      .post(`/v1/batches/${batch.id}/cancel`)
      .set(...bearer(user.accessToken));
    expect(res.status).toBe(200);
    expect(res.body.progress).toMatchObject({ total: 1, canceled: 1 });
    const listed = await api
      .http()
      .get('/v1/batches')
      .set(...bearer(user.accessToken));
    expect(listed.body.data).toEqual([
      expect.objectContaining({ id: batch.id, progress: res.body.progress }),
    ]);
    // The cancel is announced like any end: the job's end, then the batch's (webhooks, mail).
    const announced = (await api.db.query(
      `SELECT name, payload FROM domain_events
        WHERE payload->>'jobId' IN (SELECT id::text FROM ai_jobs WHERE batch_id = $1)
           OR (payload->>'batchId' = $1::text AND name <> 'ai.batch-submitted')
        ORDER BY seq`,
      [batch.id],
    )) as Array<{ name: string; payload: Record<string, unknown> }>;
    expect(announced.map((event) => [event.name, event.payload.status ?? null])).toEqual([
      ['ai-jobs.job-ended', 'canceled'],
      ['ai-jobs.batch-finished', null],
    ]);
    const balance = await api
      .http()
      .get('/v1/credits/balance')
      .set(...bearer(user.accessToken));
    expect(balance.body).toEqual({ balance: 3, reserved: 0, available: 3 });
    await expectLedgerClean(api);
  });

  it("hides a batch from other users, and refuses images that are not the caller's", async () => {
    const owner = await newUser(api);
    const other = await newUser(api);
    await fund(api, owner, 2);
    const ids = await images(owner, 1);
    const { body: batch } = await createBatch(owner, {
      name: 'mine',
      operation: 'remove-background',
      params: {},
      inputImageIds: ids,
    });
    expect(
      (
        await api
          .http()
          .get(`/v1/batches/${batch.id}`)
          .set(...bearer(other.accessToken))
      ).status,
    ).toBe(404);
    expect(
      (
        await api
          .http()
          .post(`/v1/batches/${batch.id}/cancel`)
          .set(...bearer(other.accessToken))
      ).status,
    ).toBe(404);
    await fund(api, other, 2);
    const stolen = await createBatch(other, {
      name: 'theirs',
      operation: 'remove-background',
      params: {},
      inputImageIds: ids,
    });
    expect(stolen.status).toBe(400);
    expect(stolen.body.details).toEqual([expect.objectContaining({ field: 'inputImageIds.0' })]);
    const tooMany = await createBatch(owner, {
      name: 'x',
      operation: 'upscale',
      params: {},
      inputImageIds: Array(101).fill(ids[0]),
    });
    expect(tooMany.status).toBe(400);
    await api
      .http()
      .post(`/v1/batches/${batch.id}/cancel`)
      .set(...bearer(owner.accessToken));
  });
});
