import { startApi, type TestApi } from '../support/app';
import { baseTestEnv } from '../support/test-env';

describe('rate limits in Redis', () => {
  let first: TestApi;
  let second: TestApi;

  beforeAll(async () => {
    // Two API instances sharing one Redis prefix: the limit is global, not per process.
    const env = {
      REDIS_KEY_PREFIX: `${baseTestEnv().REDIS_KEY_PREFIX}rate:`,
      AUTH_RATE_LIMIT_MAX: '3',
      RATE_LIMIT_WINDOW_MS: '60000',
    };
    first = await startApi(env);
    second = await startApi(env);
  });

  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('counts across API instances and answers 429 with Retry-After in the one error shape', async () => {
    const attempt = (api: TestApi) =>
      api
        .http()
        .post('/v1/auth/login')
        .send({ email: 'nobody@example.test', password: 'whatever-pass' });
    const a = await attempt(first);
    expect(a.status).toBe(401);
    expect(a.headers['x-ratelimit-limit']).toBe('3');
    expect(a.headers['x-ratelimit-remaining']).toBe('2');
    expect((await attempt(second)).headers['x-ratelimit-remaining']).toBe('1');
    expect((await attempt(first)).headers['x-ratelimit-remaining']).toBe('0');

    const limited = await attempt(second);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      statusCode: 429,
      code: 'RATE_LIMIT_EXCEEDED',
      requestId: expect.any(String),
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The limiter answers from its own hook, and still names the request, as every answer does.
    expect(limited.headers['x-request-id']).toBe(limited.body.requestId);
  });

  it('keeps the ordinary limit for other routes, refresh included (it guards no guessable secret)', async () => {
    const res = await first.http().get('/v1/me');
    expect(res.status).toBe(401);
    expect(Number(res.headers['x-ratelimit-limit'])).toBeGreaterThan(3);
    const refresh = await first.http().post('/v1/auth/refresh').send({ refreshToken: 'x.y' });
    expect(refresh.status).toBe(401);
    expect(Number(refresh.headers['x-ratelimit-limit'])).toBeGreaterThan(3);
  });
});

describe('a fixed window', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({
      REDIS_KEY_PREFIX: `${baseTestEnv().REDIS_KEY_PREFIX}window:`,
      RATE_LIMIT_MAX: '2',
      RATE_LIMIT_WINDOW_MS: '3000',
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('lets a refused caller through once the window resets, and never says a refusal left room', async () => {
    const attempt = () => api.http().get('/v1/me');
    const first = await attempt();
    expect(first.status).toBe(401);
    const resetsAt = Date.now() + Number(first.headers['x-ratelimit-reset']) * 1000;
    expect((await attempt()).headers['x-ratelimit-remaining']).toBe('0');
    // Refused halfway through the window: refused until it resets, not for a window from here.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetsAt - 1500 - Date.now())));
    for (let i = 0; i < 3; i += 1) {
      const refused = await attempt();
      expect(refused.status).toBe(429);
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      expect(refused.headers.ratelimit).toBe(`"default";r=0;t=${refused.headers['retry-after']}`);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(2);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetsAt + 200 - Date.now())));
    const after = await attempt();
    expect(after.status).toBe(401);
    // The refused attempts did not count towards the new window.
    expect(after.headers['x-ratelimit-remaining']).toBe('1');
  });
});
