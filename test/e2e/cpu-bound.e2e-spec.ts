import { performance } from 'node:perf_hooks';
import { startApi, type TestApi } from '../support/app';
import { upload } from '../support/ai';
import { newUser } from '../support/factories';
import { photoJpeg } from '../support/images';

describe('CPU-heavy work is bounded', () => {
  let api: TestApi;

  beforeAll(async () => {
    // The defaults: 1 hash at once, 32 waiting, on Node's default pool of 4 threads. The
    // login lockout lets at most LOGIN_MAX_FAILURES checks of one email run at once (the rest
    // are 429 unchecked): raised here, so that the 64 logins below all reach the hasher.
    api = await startApi({ PUBLIC_BASE_URL: 'http://files.test', LOGIN_MAX_FAILURES: '1000' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves a file download ahead of the queued password hashes while 64 logins run at once (or the logins get 503)', async () => {
    const user = await newUser(api, 'cpu');
    const stored = await upload(api, user, await photoJpeg(2048, 1536, 95), 'ring.jpg');
    expect(stored.status).toBe(201);
    const path = String(stored.body.url).replace('http://files.test', '');

    const logins = Array.from({ length: 64 }, () =>
      api.http().post('/v1/auth/login').send({ email: user.email, password: user.password }),
    );
    const answeredAt: number[] = [];
    const pending = Promise.all(
      logins.map((call) =>
        call.then((res) => {
          if (res.status === 200) answeredAt.push(performance.now());
          return res;
        }),
      ),
    );
    // Let the logins reach the hasher first.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const download = await api.http().get(path).buffer(true);
    const downloadedAt = performance.now();
    const answers = await pending;

    expect(download.status).toBe(200);
    expect((download.body as Buffer).length).toBe(stored.body.bytes);
    const statuses = answers.map((res) => res.status);
    for (const res of answers) {
      if (res.status === 503) {
        expect(res.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      } else {
        expect(res.status).toBe(200);
      }
    }
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    // Not a stopwatch (the machine's load would decide it) but an order: a download waiting behind
    // the hashes for a thread would come after all of them; it must come before most of them.
    const loginsBeforeDownload = answeredAt.filter((at) => at < downloadedAt).length;
    expect(loginsBeforeDownload).toBeLessThan(answeredAt.length / 2);
  }, 60_000);
});
