import { rateLimitRejections } from '../../apps/api/src/http/http.metrics';
import { startApi, type TestApi } from '../support/app';
import { bearer, newUser } from '../support/factories';
import { suitePrefix } from '../support/test-env';

const remaining = (res: { headers: Record<string, unknown> }): number =>
  Number(res.headers['x-ratelimit-remaining']);

describe('rate limits per caller', () => {
  describe('buckets', () => {
    let api: TestApi;

    beforeAll(async () => {
      api = await startApi({
        REDIS_KEY_PREFIX: suitePrefix('rl-buckets'),
        RATE_LIMIT_MAX: '50',
        AUTH_RATE_LIMIT_MAX: '1000',
        SUBMIT_RATE_LIMIT_MAX: '40',
      });
    });

    afterAll(async () => {
      await api.close();
    });

    it('gives each user one bucket shared by every route of the policy', async () => {
      const alice = await newUser(api, 'alice');
      const bob = await newUser(api, 'bob');
      const first = await api
        .http()
        .get('/v1/me')
        .set(...bearer(alice.accessToken));
      const second = await api
        .http()
        .get('/v1/credits/balance')
        .set(...bearer(alice.accessToken));
      const third = await api
        .http()
        .get('/v1/ai/jobs')
        .set(...bearer(alice.accessToken));
      expect(first.headers['x-ratelimit-limit']).toBe('50');
      // Three routes, one bucket: each request took one from the same count.
      expect(remaining(second)).toBe(remaining(first) - 1);
      expect(remaining(third)).toBe(remaining(first) - 2);
      // Bob has a bucket of his own, untouched by Alice.
      const bobs = await api
        .http()
        .get('/v1/me')
        .set(...bearer(bob.accessToken));
      expect(remaining(bobs)).toBe(49);
    });

    it('counts an invalid token per address, not per token', async () => {
      const one = await api
        .http()
        .get('/v1/me')
        .set(...bearer('garbage-1'));
      const two = await api
        .http()
        .get('/v1/me')
        .set(...bearer('garbage-2'));
      expect(one.status).toBe(401);
      expect(remaining(two)).toBe(remaining(one) - 1);
    });

    it('puts the headers on 400 (bad JSON), 413 and 415, which count too', async () => {
      const user = await newUser(api, 'edges');
      // Submits have a bucket of their own (policy submit), apart from GET /v1/me's.
      const ok = await api
        .http()
        .post('/v1/ai/jobs')
        .set(...bearer(user.accessToken))
        .send({});
      expect(ok.status).toBe(400);
      const badJson = await api
        .http()
        .post('/v1/ai/jobs')
        .set(...bearer(user.accessToken))
        .set('content-type', 'application/json')
        .send('{nope');
      expect(badJson.status).toBe(400);
      const tooLarge = await api
        .http()
        .post('/v1/ai/jobs')
        .set(...bearer(user.accessToken))
        .set('content-type', 'application/json')
        .send(JSON.stringify({ prompt: 'x'.repeat(api.config.BODY_LIMIT_BYTES + 10) }));
      expect(tooLarge.status).toBe(413);
      const wrongType = await api
        .http()
        .post('/v1/ai/jobs')
        .set(...bearer(user.accessToken))
        .set('content-type', 'application/xml')
        .send('<a/>');
      expect(wrongType.status).toBe(415);
      for (const res of [badJson, tooLarge, wrongType]) {
        expect(res.headers['x-ratelimit-limit']).toBe('40');
        expect(res.headers['x-ratelimit-reset']).toBeDefined();
      }
      expect(remaining(badJson)).toBe(remaining(ok) - 1);
      expect(remaining(tooLarge)).toBe(remaining(ok) - 2);
      expect(remaining(wrongType)).toBe(remaining(ok) - 3);
    });
  });

  describe('the 429 itself', () => {
    let api: TestApi;

    beforeAll(async () => {
      api = await startApi({ REDIS_KEY_PREFIX: suitePrefix('rl-429'), RATE_LIMIT_MAX: '2' });
    });

    afterAll(async () => {
      await api.close();
    });

    it('carries the headers and Retry-After', async () => {
      await api.http().get('/v1/nowhere');
      await api.http().get('/v1/nowhere');
      const limited = await api.http().get('/v1/nowhere');
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({
        statusCode: 429,
        code: 'RATE_LIMIT_EXCEEDED',
        requestId: expect.any(String),
      });
      expect(limited.headers['x-ratelimit-limit']).toBe('2');
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect(Number(limited.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('TRUSTED_PROXIES', () => {
    it('ignores X-Forwarded-For from an untrusted peer', async () => {
      const api = await startApi({
        REDIS_KEY_PREFIX: suitePrefix('rl-untrusted'),
        RATE_LIMIT_MAX: '50',
      });
      try {
        const a = await api.http().get('/v1/nowhere').set('x-forwarded-for', '203.0.113.1');
        const b = await api.http().get('/v1/nowhere').set('x-forwarded-for', '203.0.113.2');
        // Same peer (loopback), same bucket, whatever the header says.
        expect(remaining(b)).toBe(remaining(a) - 1);
      } finally {
        await api.close();
      }
    });

    it('believes X-Forwarded-For from a trusted proxy', async () => {
      const api = await startApi({
        REDIS_KEY_PREFIX: suitePrefix('rl-trusted'),
        RATE_LIMIT_MAX: '50',
        TRUSTED_PROXIES: '127.0.0.1/32, ::1/128',
      });
      try {
        const a = await api.http().get('/v1/nowhere').set('x-forwarded-for', '203.0.113.1');
        const b = await api.http().get('/v1/nowhere').set('x-forwarded-for', '203.0.113.2');
        const a2 = await api.http().get('/v1/nowhere').set('x-forwarded-for', '203.0.113.1');
        expect(remaining(a)).toBe(49);
        expect(remaining(b)).toBe(49);
        expect(remaining(a2)).toBe(48);
      } finally {
        await api.close();
      }
    });
  });

  describe('login lockout per email', () => {
    let api: TestApi;

    beforeAll(async () => {
      // A trusted proxy, so each attempt can come from another client address.
      api = await startApi({
        REDIS_KEY_PREFIX: suitePrefix('rl-lockout'),
        LOGIN_MAX_FAILURES: '3',
        TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
      });
    });

    afterAll(async () => {
      await api.close();
    });

    const login = (email: string, password: string, from: string) =>
      api.http().post('/v1/auth/login').set('x-forwarded-for', from).send({ email, password });

    const lockRefusals = async () =>
      (await rateLimitRejections.get()).values.find((v) => v.labels.policy === 'login-lock')
        ?.value ?? 0;

    it('locks the email after LOGIN_MAX_FAILURES failures from three addresses, even for the right password', async () => {
      const user = await newUser(api, 'locked');
      const refusedBefore = await lockRefusals();
      expect((await login(user.email, 'wrong-password-1', '198.51.100.1')).status).toBe(401);
      expect((await login(user.email, 'wrong-password-2', '198.51.100.2')).status).toBe(401);
      // Each address has a fresh per-address bucket: only the per-email count can lock.
      const third = await login(user.email, 'wrong-password-3', '198.51.100.3');
      expect(third.status).toBe(401);
      expect(third.headers['x-ratelimit-remaining']).toBe(
        String(api.config.AUTH_RATE_LIMIT_MAX - 1),
      );

      const locked = await login(user.email, user.password, '198.51.100.4');
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMIT_EXCEEDED' });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      // Counted with the limiter's refusals (this process's registry: the API runs in it).
      expect((await lockRefusals()) - refusedBefore).toBe(1);
      // Another account is not affected, and case does not make another email.
      const other = await newUser(api, 'free');
      expect((await login(other.email, other.password, '198.51.100.4')).status).toBe(200);
      expect((await login(user.email.toUpperCase(), user.password, '198.51.100.5')).status).toBe(
        429,
      );
    });

    it('gives guesses sent all at once no more tries than guesses sent in turn', async () => {
      const user = await newUser(api, 'at-once');
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          login(user.email, `wrong-password-${i}`, `198.18.${i}.1`),
        ),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      // LOGIN_MAX_FAILURES (3) passwords were checked; every other guess was refused unchecked.
      expect(statuses.filter((status) => status === 401)).toHaveLength(3);
      expect(statuses.filter((status) => status === 429)).toHaveLength(27);
      const locked = await login(user.email, user.password, '198.18.200.1');
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    });

    it('never locks an email for right passwords sent at once, even after wrong ones', async () => {
      const user = await newUser(api, 'right-at-once');
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => login(user.email, user.password, `198.19.${i}.1`)),
      );
      // As many checks as the limit leaves room for at once; the others wait a second, unlocked.
      for (const answer of answers)
        if (answer.status !== 200) {
          expect(answer.status).toBe(429);
          expect(answer.headers['retry-after']).toBe('1');
        }
      expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(3);
      expect((await login(user.email, user.password, '198.19.100.1')).status).toBe(200);
      // Two typos, then the right password twice at once (a double-clicked form).
      for (const i of [1, 2])
        expect((await login(user.email, `typo-${i}`, `198.19.101.${i}`)).status).toBe(401);
      const twice = await Promise.all([
        login(user.email, user.password, '198.19.102.1'),
        login(user.email, user.password, '198.19.102.2'),
      ]);
      expect(twice.map((answer) => answer.status)).toContain(200);
      expect((await login(user.email, user.password, '198.19.103.1')).status).toBe(200);
    });

    it('counts wrong current passwords of a password change towards the same lock', async () => {
      const user = await newUser(api, 'change');
      const change = (currentPassword: string, from: string) =>
        api
          .http()
          .post('/v1/me/password')
          .set('x-forwarded-for', from)
          .set(...bearer(user.accessToken))
          .send({ currentPassword, newPassword: 'a new passphrase here' });
      for (let i = 1; i <= 3; i += 1)
        expect((await change(`wrong-password-${i}`, `203.0.113.${i}`)).status).toBe(400);
      const locked = await change(user.password, '203.0.113.9');
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
      expect((await login(user.email, user.password, '203.0.113.10')).status).toBe(429);
    });

    it('resets the count on a successful login', async () => {
      const user = await newUser(api, 'reset');
      for (let round = 0; round < 3; round += 1) {
        expect((await login(user.email, 'wrong-password', `192.0.2.${round * 2 + 1}`)).status).toBe(
          401,
        );
        expect((await login(user.email, 'wrong-password', `192.0.2.${round * 2 + 1}`)).status).toBe(
          401,
        );
        expect((await login(user.email, user.password, `192.0.2.${round * 2 + 2}`)).status).toBe(
          200,
        );
      }
    });
  });
});
