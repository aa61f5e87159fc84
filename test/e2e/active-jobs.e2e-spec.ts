import { rateLimitRejections } from '../../apps/api/src/http/http.metrics';
import { startApi, type TestApi } from '../support/app';
import { fund, submit, upload } from '../support/ai';
import { bearer, newUser, type TestUser } from '../support/factories';
import { smallPng } from '../support/images';
import { suitePrefix } from '../support/test-env';

/** No worker runs here: every job submitted stays queued, in progress. */
describe('jobs in progress per user (MAX_ACTIVE_JOBS_PER_USER)', () => {
  const LIMIT = 3;
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({
      REDIS_KEY_PREFIX: suitePrefix('active-jobs'),
      SIGNUP_CREDITS: '0',
      MAX_ACTIVE_JOBS_PER_USER: String(LIMIT),
    });
  });

  afterAll(async () => {
    await api.close();
  });

  const job = { operation: 'generate', params: { prompt: 'a ring on velvet' } };
  const funded = async (): Promise<TestUser> => {
    const user = await newUser(api);
    await fund(api, user, 100);
    return user;
  };
  const rows = async (user: TestUser) => {
    const [jobs, holds] = await Promise.all([
      api.db.query('SELECT id FROM ai_jobs WHERE user_id = $1', [user.id]),
      api.db.query(`SELECT id FROM credit_holds WHERE user_id = $1 AND status = 'pending'`, [
        user.id,
      ]),
    ]);
    return { jobs: (jobs as unknown[]).length, holds: (holds as unknown[]).length };
  };
  const balance = async (user: TestUser) =>
    (
      await api
        .http()
        .get('/v1/credits/balance')
        .set(...bearer(user.accessToken))
    ).body as { balance: number; reserved: number };
  const expectRefused = (res: {
    status: number;
    headers: Record<string, string>;
    body: unknown;
  }) => {
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body).toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
      details: { policy: 'active-jobs', limit: LIMIT, retryAfterSeconds: 30 },
    });
  };

  it('refuses the job past the limit with 429 and holds nothing for it; a canceled job frees its place', async () => {
    const user = await funded();
    const accepted = [];
    for (let i = 0; i < LIMIT; i += 1) accepted.push(await submit(api, user, job));
    expect(accepted.map((res) => res.status)).toEqual([202, 202, 202]);
    const before = await balance(user);

    const counted = async () =>
      (await rateLimitRejections.get()).values.find(
        (value) => value.labels.policy === 'active-jobs',
      )?.value ?? 0;
    const rejectionsBefore = await counted();
    expectRefused(await submit(api, user, job));
    expect(await rows(user)).toEqual({ jobs: LIMIT, holds: LIMIT });
    expect(await balance(user)).toEqual(before);
    // Counted with the limiter's refusals, under a policy of its own.
    expect(await counted()).toBe(rejectionsBefore + 1);

    // Another seller's jobs are theirs to count.
    expect((await submit(api, await funded(), job)).status).toBe(202);

    const first = (accepted[0]?.body as { id: string }).id;
    const canceled = await api
      .http()
      .post(`/v1/ai/jobs/${first}/cancel`)
      .set(...bearer(user.accessToken));
    expect(canceled.status).toBe(200);
    expect((await submit(api, user, job)).status).toBe(202);
    expectRefused(await submit(api, user, job));
  });

  it('counts a batch item by item: all of it or none', async () => {
    const user = await funded();
    const ids: string[] = [];
    for (let i = 0; i < 2; i += 1)
      ids.push((await upload(api, user, await smallPng(40 + i, 30))).body.id as string);
    expect((await submit(api, user, job)).status).toBe(202);
    const batch = (inputImageIds: string[]) =>
      api
        .http()
        .post('/v1/batches')
        .set(...bearer(user.accessToken))
        .send({ name: 'rings', operation: 'remove-background', params: {}, inputImageIds });
    // One job in progress and a batch of three: four, past the limit.
    expectRefused(await batch([...ids, ids[0] as string]));
    expect(await rows(user)).toEqual({ jobs: 1, holds: 1 });
    expect(await api.db.query('SELECT id FROM batches WHERE user_id = $1', [user.id])).toEqual([]);
    // More items than the limit could never pass: 400, not a 429 to retry.
    const tooMany = await batch([...ids, ...ids]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'inputImageIds', constraint: 'arrayMaxSize', max: LIMIT }],
    });
    // A batch of two fits exactly.
    expect((await batch(ids)).status).toBe(201);
    expect(await rows(user)).toEqual({ jobs: LIMIT, holds: LIMIT });
  });

  it('holds the limit against concurrent submits: of eight at once, exactly three pass', async () => {
    const user = await funded();
    const results = await Promise.all(Array.from({ length: 8 }, () => submit(api, user, job)));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
    for (const res of results) if (res.status === 429) expectRefused(res);
    expect(await rows(user)).toEqual({ jobs: LIMIT, holds: LIMIT });
  });
});
