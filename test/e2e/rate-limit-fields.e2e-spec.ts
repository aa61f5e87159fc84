import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import type { Redis } from 'ioredis';
import { parseList, type List } from 'structured-headers';
import { REDIS, RedisConcurrencyStorage } from '@jewelshot/platform';
import { slotLeases } from '../../apps/api/src/http/concurrency-slot';
import { startApi, type TestApi } from '../support/app';
import { fund, submit, upload } from '../support/ai';
import { bearer, newApiKey, newUser, type TestUser } from '../support/factories';
import { smallPng } from '../support/images';
import { freePort } from '../support/free-port';
import { suitePrefix } from '../support/test-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import {
  RATE_LIMIT_CALLER_RESOLVERS,
  type RateLimitCallerResolver,
} from '../../apps/api/src/http/rate-limit-policies';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders | Record<string, unknown>;
  body?: unknown;
}

const QUOTA_UNITS = ['request', 'content-bytes', 'concurrent-requests'];

/**
 * RateLimit-Policy and RateLimit parsed as RFC 9651 Lists (draft-ietf-httpapi-ratelimit-headers
 * -11): every policy a String with a non-negative Integer `q` (and, when present, `w` > 0 and a
 * known `qu`); RateLimit one member naming a listed policy, with Integer `r` ≥ 0 (and `t` ≥ 0).
 * Returns RateLimit's policy and parameters.
 */
function rateLimitFields(res: Answer): {
  policies: Map<string, Map<string, unknown>>;
  name: string;
  r: number;
  t: number | undefined;
} {
  const policyHeader = res.headers['ratelimit-policy'];
  const limitHeader = res.headers['ratelimit'];
  if (typeof policyHeader !== 'string' || typeof limitHeader !== 'string')
    throw new Error(`status ${res.status}: RateLimit-Policy or RateLimit missing`);
  const policyList: List = parseList(policyHeader);
  expect(policyList.length).toBeGreaterThan(0);
  const policies = new Map<string, Map<string, unknown>>();
  for (const [value, params] of policyList) {
    expect(typeof value).toBe('string');
    const q = params.get('q');
    expect(Number.isInteger(q) && (q as number) >= 0).toBe(true);
    const w = params.get('w');
    if (w !== undefined) expect(Number.isInteger(w) && (w as number) > 0).toBe(true);
    const qu = params.get('qu');
    if (qu !== undefined) expect(QUOTA_UNITS).toContain(qu);
    policies.set(value as string, params);
  }
  const limitList: List = parseList(limitHeader);
  expect(limitList).toHaveLength(1);
  const [[name, params]] = limitList as [[string, Map<string, unknown>]];
  expect(policies.has(name)).toBe(true);
  const r = params.get('r');
  expect(Number.isInteger(r) && (r as number) >= 0).toBe(true);
  const t = params.get('t');
  if (t !== undefined) expect(Number.isInteger(t) && (t as number) >= 0).toBe(true);
  return { policies, name, r: r as number, t: t as number | undefined };
}

/**
 * A 429 from the limiter: the one error shape, Retry-After, and RateLimit naming `policy` with
 * less left than the request needed (`needed` units: 1 request, or an upload's bytes).
 */
function expectRefusedBy(res: Answer, policy: string, needed = 1): void {
  expect(res.status).toBe(429);
  expect(res.body).toMatchObject({
    statusCode: 429,
    code: 'RATE_LIMIT_EXCEEDED',
    details: { policy },
  });
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  const fields = rateLimitFields(res);
  expect(fields.name).toBe(policy);
  expect(fields.r).toBeLessThan(needed);
  // The draft: with Retry-After, the reset should name the same moment.
  expect(fields.t).toBe(retryAfter);
}

/**
 * A request whose body is held back: the server has its headers (so the limiter counted it and
 * took a concurrency slot) but not its body, so it stays in flight until `finish` or `abort`.
 */
function heldRequest(
  port: number,
  path: string,
  token: string,
  body: string,
): { answer: Promise<Answer>; finish: () => void; abort: () => void } {
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
      );
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 1));
  return {
    answer,
    finish: () => req.end(body.slice(1)),
    abort: () => req.destroy(),
  };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting: ${what}`);
}

const listen = async (api: TestApi): Promise<number> => {
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  return (api.app.getHttpServer().address() as AddressInfo).port;
};

describe('rate-limit policies, their fields and concurrency limits', () => {
  // Users are made through `setup` (its own prefix, the test environment's high limits), so
  // the limited APIs' auth bucket for the loopback address is the auth test's alone.
  let setup: TestApi;
  let limited: TestApi;
  // A second API process on the same Redis prefix: every limit below is shared between them.
  let secondProcess: WorkerProcess;
  let second: TestApi;
  let limitedPort: number;
  let secondPort: number;
  const LIMITED_PREFIX = suitePrefix('rl-limited');
  // These tests read the limiter's fields: on a loaded machine a Redis call slower than the
  // default 200 ms would let the request through unlimited and without them (fail open, which
  // the outage suites test). One CI run lost a download's fields so.
  const STEADY = { REDIS_COMMAND_TIMEOUT_MS: '5000' };
  const LIMITED_ENV = {
    ...STEADY,
    REDIS_KEY_PREFIX: LIMITED_PREFIX,
    RATE_LIMIT_MAX: '4',
    AUTH_RATE_LIMIT_MAX: '3',
    SUBMIT_RATE_LIMIT_MAX: '3',
    UPLOAD_RATE_LIMIT_MAX: '2',
    UPLOAD_RATE_LIMIT_BYTES: '20000',
    CONCURRENCY_LIMIT_PER_USER: '2',
    SSE_MAX_OPEN_PER_USER: '2',
    DOWNLOAD_CONCURRENCY_LIMIT: '3',
  };

  beforeAll(async () => {
    setup = await startApi({ ...STEADY, REDIS_KEY_PREFIX: suitePrefix('rl-setup') });
    limited = await startApi(LIMITED_ENV);
    limitedPort = await listen(limited);
    secondPort = await freePort();
    secondProcess = await startWorkerProcess(
      { ...LIMITED_ENV, PORT: String(secondPort), LOG_LEVEL: 'warn' },
      join('test', 'support', 'api-process-main.ts'),
    );
    // Only what the helpers use: HTTP to the other process.
    second = { http: () => request(`http://127.0.0.1:${secondPort}`) } as unknown as TestApi;
  }, 60_000);

  afterAll(async () => {
    await secondProcess?.stop();
    await limited?.close();
    await setup?.close();
  });

  const funded = async (label: string): Promise<TestUser> => {
    const user = await newUser(setup, label);
    await fund(setup, user, 100);
    return user;
  };
  const job = { operation: 'generate', params: { prompt: 'a ring on velvet' } };

  /** A `jobs:read` API key of the user's (made through `setup`). */
  const jobsReadKey = (user: TestUser): Promise<string> =>
    newApiKey(setup, user, ['jobs:read'], 'streams');

  /** Opens a job's event stream, kept open until its controller (pushed on `controllers`) aborts. */
  const openStream = async (
    controllers: AbortController[],
    port: number,
    jobId: string,
    credential: string,
  ) => {
    const controller = new AbortController();
    controllers.push(controller);
    const res = await fetch(`http://127.0.0.1:${port}/v1/ai/jobs/${jobId}/events`, {
      headers: { authorization: `Bearer ${credential}` },
      signal: controller.signal,
    });
    const headers = Object.fromEntries(res.headers.entries());
    const body = res.status === 429 ? await res.json() : undefined;
    return { status: res.status, headers, body };
  };

  it('default: RATE_LIMIT_MAX per caller, then 429 naming the policy, on every instance', async () => {
    const user = await newUser(setup, 'default');
    const answers = [];
    for (let i = 0; i < 4; i += 1) {
      const api = i % 2 === 0 ? limited : second;
      answers.push(
        await api
          .http()
          .get('/v1/me')
          .set(...bearer(user.accessToken)),
      );
    }
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((res) => rateLimitFields(res).r)).toEqual([3, 2, 1, 0]);
    const first = rateLimitFields(answers[0] as Answer);
    expect(first.name).toBe('default');
    expect(first.policies.get('default')?.get('q')).toBe(4);
    expect(first.policies.get('default')?.get('w')).toBe(60);
    expect(answers[3]?.headers['x-ratelimit-remaining']).toBe('0');
    expectRefusedBy(
      await second
        .http()
        .get('/v1/me')
        .set(...bearer(user.accessToken)),
      'default',
    );
  });

  it('auth: AUTH_RATE_LIMIT_MAX per address on the credential routes', async () => {
    const attempt = () =>
      limited
        .http()
        .post('/v1/auth/login')
        .send({ email: 'nobody@example.test', password: 'wrong-password' });
    for (let i = 0; i < 3; i += 1) {
      const res = await attempt();
      expect(res.status).toBe(401);
      expect(rateLimitFields(res)).toMatchObject({ name: 'auth', r: 2 - i });
    }
    expectRefusedBy(await attempt(), 'auth');
    // An access token buys no bucket of its own there: nor does a new account's, signed up
    // through another API process (so the address's bucket there still has room).
    const user = await newUser(setup, 'auth-token');
    const withToken = await limited
      .http()
      .post('/v1/auth/login')
      .set(...bearer(user.accessToken))
      .send({ email: 'nobody@example.test', password: 'wrong-password' });
    expectRefusedBy(withToken, 'auth');
    const register = await limited
      .http()
      .post('/v1/auth/register')
      .set(...bearer(user.accessToken))
      .send({
        email: `chained-${randomBytes(4).toString('hex')}@example.test`,
        password: 'a-long-password-1',
      });
    expectRefusedBy(register, 'auth');
  });

  // A well-formed key nobody issued: `js_live_<24 hex>_<64 hex>`.
  const madeUpKey = () =>
    `js_live_${randomBytes(12).toString('hex')}_${randomBytes(32).toString('hex')}`;

  it('a made-up API key header buys no bucket of its own: downloads, the credential routes and the rest count it by address', async () => {
    // An API of its own: this address's buckets start empty.
    const fresh = await startApi({
      ...STEADY,
      REDIS_KEY_PREFIX: suitePrefix('rl-made-up'),
      RATE_LIMIT_MAX: '6',
      AUTH_RATE_LIMIT_MAX: '2',
    });
    try {
      const as = (credential: string): [string, string] => [
        'Authorization',
        `Bearer ${credential}`,
      ];
      // A signed download counts by address whatever it carries: a key, another key, a token.
      const user = await newUser(setup, 'made-up');
      const stored = await upload(setup, user, await smallPng());
      const url = new URL(stored.body.url as string);
      const download = (credential: string) =>
        fresh
          .http()
          .get(`${url.pathname}${url.search}`)
          .set(...as(credential));
      const downloads = [
        await download(madeUpKey()),
        await download(madeUpKey()),
        await download(user.accessToken),
      ];
      expect(downloads.map((res) => res.status)).toEqual([200, 200, 200]);
      expect(downloads.map((res) => res.headers['x-ratelimit-remaining'])).toEqual(['5', '4', '3']);

      // The credential routes: two attempts spend the address's auth bucket; keys change nothing.
      const login = (credential?: string) => {
        const req = fresh.http().post('/v1/auth/login');
        if (credential) void req.set(...as(credential));
        return req.send({ email: 'nobody@example.test', password: 'wrong-password' });
      };
      expect((await login()).status).toBe(401);
      expect((await login(madeUpKey())).status).toBe(401);
      expectRefusedBy(await login(madeUpKey()), 'auth');
      expectRefusedBy(await login(), 'auth');

      // Elsewhere: requests with keys never seen share what is left of the address's six.
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1)
        statuses.push(
          (
            await fresh
              .http()
              .get('/v1/credits/balance')
              .set(...as(madeUpKey()))
          ).status,
        );
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await fresh.close();
    }
  });

  it('submit: jobs and batches share SUBMIT_RATE_LIMIT_MAX, apart from the default bucket', async () => {
    const user = await funded('submit');
    const first = await submit(limited, user, job);
    expect(first.status).toBe(202);
    const fields = rateLimitFields(first);
    expect([...fields.policies.keys()]).toEqual(['submit', 'expensive']);
    expect(fields.policies.get('submit')?.get('q')).toBe(3);
    expect(fields.policies.get('expensive')?.get('qu')).toBe('concurrent-requests');
    // Closest to its limit: the one slot of two this request held (submit had 2 of 3 left).
    expect(fields).toMatchObject({ name: 'expensive', r: 1 });
    const batch = await second
      .http()
      .post('/v1/batches')
      .set(...bearer(user.accessToken))
      .send({});
    expect(batch.status).toBe(400);
    expect(rateLimitFields(batch)).toMatchObject({ name: 'submit', r: 1 });
    expect((await submit(limited, user, job)).status).toBe(202);
    expectRefusedBy(await submit(second, user, job), 'submit');
    // The default bucket was not touched.
    const me = await limited
      .http()
      .get('/v1/me')
      .set(...bearer(user.accessToken));
    expect(rateLimitFields(me)).toMatchObject({ name: 'default', r: 3 });
  });

  it('submit: a webhook test or retry a caller asks for counts as a submit (work for the shared delivery workers)', async () => {
    const user = await newUser(setup, 'webhook-sends');
    const endpoint = await setup
      .http()
      .post('/v1/webhooks')
      .set(...bearer(user.accessToken))
      .send({ url: 'http://127.0.0.1:9/hooks', events: ['job.succeeded'] });
    expect(endpoint.status).toBe(201);
    const test = () =>
      limited
        .http()
        .post(`/v1/webhooks/${endpoint.body.id as string}/test`)
        .set(...bearer(user.accessToken));
    const sent = [await test(), await test(), await test()];
    expect(sent.map((res) => res.status)).toEqual([202, 202, 202]);
    expect(rateLimitFields(sent[0] as Answer).name).toBe('submit');
    expectRefusedBy(await test(), 'submit');
  });

  it('uploads: UPLOAD_RATE_LIMIT_MAX uploads per window', async () => {
    const user = await newUser(setup, 'uploads');
    const png = await smallPng();
    const answers = [await upload(limited, user, png), await upload(second, user, png)];
    expect(answers.map((res) => res.status)).toEqual([201, 201]);
    const fields = rateLimitFields(answers[0] as Answer);
    expect([...fields.policies.keys()]).toEqual(['uploads', 'upload-bytes', 'expensive']);
    expect(fields.policies.get('uploads')?.get('w')).toBe(3600);
    expect(fields.policies.get('upload-bytes')?.get('qu')).toBe('content-bytes');
    expect(fields.policies.get('upload-bytes')?.get('q')).toBe(20000);
    expect(rateLimitFields(answers[1] as Answer)).toMatchObject({ name: 'uploads', r: 0 });
    expectRefusedBy(await upload(limited, user, png), 'uploads');
  });

  it('upload-bytes: UPLOAD_RATE_LIMIT_BYTES per window, by Content-Length', async () => {
    const user = await newUser(setup, 'bytes');
    const big = Buffer.alloc(12_000, 7);
    // Not an image (refused), but its bytes arrived and count.
    const first = await upload(limited, user, big, 'noise.png');
    expect([400, 415]).toContain(first.status);
    const fields = rateLimitFields(first);
    expect(fields.name).toBe('upload-bytes');
    expect(fields.r).toBeLessThan(20000 - 12_000);
    const refused = await upload(second, user, big, 'noise.png');
    expectRefusedBy(refused, 'upload-bytes', big.length);
    // What is left is said as it is, and was not used up by the refusal: a smaller upload fits.
    const left = rateLimitFields(refused).r;
    expect(left).toBeGreaterThan(0);
    const small = await upload(
      limited,
      user,
      Buffer.alloc(Math.min(left, 4000) - 600, 7),
      'noise.png',
    );
    expect([400, 415]).toContain(small.status);
  });

  it('sse: SSE_MAX_OPEN_PER_USER streams at once across instances; a closed one frees its place', async () => {
    const user = await funded('sse');
    // No worker runs here: the job stays queued and its streams stay open.
    const { body: queued } = await submit(setup, user, job);
    const controllers: AbortController[] = [];
    const open = (port: number) => openStream(controllers, port, queued.id, user.accessToken);
    try {
      const one = await open(limitedPort);
      const two = await open(secondPort);
      expect([one.status, two.status]).toEqual([200, 200]);
      expect(rateLimitFields(one).policies.get('sse')?.get('q')).toBe(2);
      expect(rateLimitFields(two)).toMatchObject({ name: 'sse', r: 0 });
      expectRefusedBy(await open(limitedPort), 'sse');
      const redis = limited.app.get<Redis>(REDIS);
      const streams = () => redis.zcard(`concurrency:sse:user:${user.id}`);
      expect(await streams()).toBe(2);
      controllers[0]?.abort();
      await until(async () => (await streams()) === 1, 'the closed stream gave its place back');
      expect((await open(secondPort)).status).toBe(200);
    } finally {
      for (const controller of controllers) controller.abort();
    }
  });

  it("sse across API keys: a user's keys share the user's SSE_MAX_OPEN_PER_USER, not one allowance each", async () => {
    const user = await funded('sse-keys');
    const { body: queued } = await submit(setup, user, job);
    const [keyA, keyB] = [await jobsReadKey(user), await jobsReadKey(user)];
    const controllers: AbortController[] = [];
    const open = (port: number, credential: string) =>
      openStream(controllers, port, queued.id, credential);
    const redis = limited.app.get<Redis>(REDIS);
    const streams = () => redis.zcard(`concurrency:sse:user:${user.id}`);
    try {
      // One by the session, one by key A: the user's two places, on either process.
      expect((await open(secondPort, user.accessToken)).status).toBe(200);
      expect((await open(limitedPort, keyA)).status).toBe(200);
      expect(await streams()).toBe(2);
      // Key A's first stream on this process holds two slots (the address's, as the hook could
      // not yet know the key, and its owner's, the guard's) in its process's one store, which
      // the rate-limit hook and the owner's guard share: one set of leases.
      const leases = slotLeases(limited.app.get(RedisConcurrencyStorage), () => undefined);
      expect(leases.size).toBe(2);
      // Key B's first request on its process passes the address's bucket, but the account's is
      // full. (Each process sees one such first request here, as the address's limit is shared
      // with the tests after this one.)
      expectRefusedBy(await open(secondPort, keyB), 'sse');
      expectRefusedBy(await open(limitedPort, keyA), 'sse');
      expect(await streams()).toBe(2);
      // The session's stream closes: a key may take its place. Key B is known to its process
      // now: the hook takes its one slot in the owner's bucket, and the guard takes no second.
      controllers[0]?.abort();
      await until(async () => (await streams()) === 1, 'the closed stream gave its place back');
      expect((await open(secondPort, keyB)).status).toBe(200);
      expect(await streams()).toBe(2);
    } finally {
      for (const controller of controllers) controller.abort();
    }
    await until(async () => (await streams()) === 0, 'every key stream gave its place back');
  });

  it('a client that resets its connection at once leaves no slot behind (sse, by session and by key)', async () => {
    const user = await funded('sse-reset');
    const { body: queued } = await submit(setup, user, job);
    const key = await jobsReadKey(user);
    const credentials = [user.accessToken, key];
    // Accepted once by this process, the key counts in its owner's bucket.
    const accepted = await limited
      .http()
      .get(`/v1/ai/jobs/${queued.id}`)
      .set('Authorization', `Bearer ${key}`);
    expect(accepted.status).toBe(200);
    // The request goes out, and the socket is reset before any answer: the server's `close`
    // comes while the limiter and the guard still wait on Redis and the database.
    const resetRightAway = (credential: string) =>
      new Promise<void>((resolve) => {
        const socket = connect(limitedPort, '127.0.0.1', () => {
          socket.write(
            `GET /v1/ai/jobs/${queued.id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
              `Authorization: Bearer ${credential}\r\n\r\n`,
            () => {
              socket.resetAndDestroy();
              resolve();
            },
          );
        });
        socket.on('error', () => undefined);
      });
    for (let i = 0; i < 4; i += 1)
      for (const credential of credentials) await resetRightAway(credential);
    const redis = limited.app.get<Redis>(REDIS);
    const held = async () => {
      const keys = await redis.keys(`${LIMITED_PREFIX}concurrency:sse:*`);
      const counts = await Promise.all(
        keys.map((key) => redis.zcard(key.slice(LIMITED_PREFIX.length))),
      );
      return counts.reduce((sum, n) => sum + n, 0);
    };
    await until(async () => (await held()) === 0, 'every reset request gave its slot back');
  });

  it('expensive: N+1 parallel submits from one user → exactly one 429, another user unaffected, slots shared by both instances and given back on abort', async () => {
    const alice = await funded('alice');
    const bob = await funded('bob');
    const redis = limited.app.get<Redis>(REDIS);
    const inFlight = () => redis.zcard(`concurrency:expensive:user:${alice.id}`);
    const body = JSON.stringify(job);

    // N = 2 held on two instances, the N+1th on either: one 429.
    const held = [
      heldRequest(limitedPort, '/v1/ai/jobs', alice.accessToken, body),
      heldRequest(secondPort, '/v1/ai/jobs', alice.accessToken, body),
      heldRequest(limitedPort, '/v1/ai/jobs', alice.accessToken, body),
    ];
    const refused = await Promise.race(held.map((request) => request.answer));
    expectRefusedBy(refused, 'expensive');
    await until(async () => (await inFlight()) === 2, 'two slots taken');

    // Bob's slots are his own.
    const bobs = await submit(second, bob, job);
    expect(bobs.status).toBe(202);

    for (const request of held) request.finish();
    const statuses = (await Promise.all(held.map((request) => request.answer))).map(
      (res) => res.status,
    );
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    expect(statuses.filter((status) => status === 202)).toHaveLength(2);
    await until(async () => (await inFlight()) === 0, 'slots given back on response end');
    // Refused its slot, the third spent nothing of Alice's submit window (3): one is left.
    expect((await submit(limited, alice, job)).status).toBe(202);
    expectRefusedBy(await submit(limited, alice, job), 'submit');

    // A client that goes away gives its slot back too (Carol: Alice's submits are spent).
    const carol = await funded('carol');
    const carols = () => redis.zcard(`concurrency:expensive:user:${carol.id}`);
    const aborted = heldRequest(limitedPort, '/v1/ai/jobs', carol.accessToken, body);
    aborted.answer.catch(() => undefined);
    await until(async () => (await carols()) === 1, 'slot taken');
    aborted.abort();
    await until(async () => (await carols()) === 0, 'slot given back on abort');
  });

  it('downloads: the signed file route names its concurrency policy', async () => {
    const user = await newUser(setup, 'download');
    const stored = await upload(setup, user, await smallPng());
    const url = new URL(stored.body.url as string);
    // An API of its own: a signed download counts by address, whose default bucket the
    // tests above spent on `limited`.
    const own = await startApi({
      ...STEADY,
      REDIS_KEY_PREFIX: suitePrefix('rl-downloads'),
      DOWNLOAD_CONCURRENCY_LIMIT: '3',
    });
    try {
      const res = await own.http().get(`${url.pathname}${url.search}`);
      expect(res.status).toBe(200);
      const fields = rateLimitFields(res);
      expect([...fields.policies.keys()]).toEqual(['default', 'downloads']);
      expect(fields.policies.get('downloads')?.get('q')).toBe(3);
    } finally {
      await own.close();
    }
  });

  describe('a caller resolver (the hook API keys use)', () => {
    let api: TestApi;

    beforeAll(async () => {
      api = await startApi({
        ...STEADY,
        REDIS_KEY_PREFIX: suitePrefix('rl-resolver'),
        RATE_LIMIT_MAX: '50',
      });
      // What an API-key resolver will do: recognise its callers and give them their own limits.
      const resolvers = api.app.get<RateLimitCallerResolver[]>(RATE_LIMIT_CALLER_RESOLVERS);
      resolvers.push((request) => {
        const key = request.headers['x-test-key'];
        return typeof key === 'string'
          ? { key: `key:${key}`, overrides: { rate: { default: { quota: 2, windowMs: 60_000 } } } }
          : undefined;
      });
    });

    afterAll(async () => {
      await api?.close();
    });

    it('counts its callers in their own buckets, with their own limits', async () => {
      const asKey = (key: string) => api.http().get('/v1/nowhere').set('x-test-key', key);
      const first = await asKey('k1');
      expect(first.status).toBe(404);
      expect(rateLimitFields(first).policies.get('default')?.get('q')).toBe(2);
      expect((await asKey('k1')).status).toBe(404);
      expectRefusedBy(await asKey('k1'), 'default');
      // Another key, and a caller the resolver does not know, are untouched.
      expect(rateLimitFields(await asKey('k2')).r).toBe(1);
      const plain = await api.http().get('/v1/nowhere');
      expect(rateLimitFields(plain).policies.get('default')?.get('q')).toBe(50);
    });
  });

  it('RATE_LIMIT_ENABLED=false removes every limit and its headers (for benchmarks)', async () => {
    const api = await startApi({
      REDIS_KEY_PREFIX: suitePrefix('rl-off'),
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_MAX: '1',
    });
    try {
      for (let i = 0; i < 3; i += 1) {
        const res = await api.http().get('/v1/nowhere');
        expect(res.status).toBe(404);
        expect(res.headers['ratelimit']).toBeUndefined();
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await api.close();
    }
  });

  describe('every response class', () => {
    let api: TestApi;

    beforeAll(async () => {
      api = await startApi({
        ...STEADY,
        REDIS_KEY_PREFIX: suitePrefix('rl-classes'),
        SUBMIT_RATE_LIMIT_MAX: '3',
      });
    });

    afterAll(async () => {
      await api?.close();
    });

    it('carries valid RateLimit-Policy and RateLimit fields on 200, 201, 400, 401, 403, 404, 409, 413, 415, 422 and 429', async () => {
      const user = await newUser(api, 'classes');
      await fund(api, user, 100);
      const auth = bearer(user.accessToken);
      const answers = new Map<number, Answer>();
      const keep = (res: Answer) => answers.set(res.status, res);

      keep(
        await api
          .http()
          .get('/v1/me')
          .set(...auth),
      );
      keep(await upload(api, user, await smallPng()));
      keep(
        await api
          .http()
          .get('/v1/credits/history?limit=0')
          .set(...auth),
      );
      keep(await api.http().get('/v1/me'));
      keep(
        await api
          .http()
          .get('/v1/admin/users')
          .set(...auth),
      );
      keep(
        await api
          .http()
          .get('/v1/nowhere')
          .set(...auth),
      );
      const accepted = await submit(api, user, job, 'classes-key');
      expect(accepted.status).toBe(202);
      keep(accepted);
      const cancel = () =>
        api
          .http()
          .post(`/v1/ai/jobs/${accepted.body.id}/cancel`)
          .set(...auth);
      expect((await cancel()).status).toBe(200);
      keep(await cancel());
      keep(
        await api
          .http()
          .post('/v1/me/password')
          .set(...auth)
          .set('content-type', 'application/json')
          .send(JSON.stringify({ currentPassword: 'x'.repeat(api.config.AUTH_BODY_LIMIT_BYTES) })),
      );
      keep(
        await api
          .http()
          .post('/v1/ai/jobs')
          .set(...auth)
          .set('content-type', 'application/xml')
          .send('<a/>'),
      );
      keep(await submit(api, user, { ...job, params: { prompt: 'another' } }, 'classes-key'));
      // The fourth submit of SUBMIT_RATE_LIMIT_MAX=3 (the 415 and the 422 counted too).
      keep(await submit(api, user, job));

      expect([...answers.keys()].sort()).toEqual([
        200, 201, 202, 400, 401, 403, 404, 409, 413, 415, 422, 429,
      ]);
      for (const [status, res] of answers) {
        try {
          rateLimitFields(res);
        } catch (error) {
          throw new Error(`${status}: ${String(error)}`, { cause: error });
        }
      }
      expect(rateLimitFields(answers.get(429) as Answer).name).toBe('submit');
    });
  });
});
