import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { loggableError, metricsRegistry } from '@jewelshot/platform';
import { startApi, type TestApi } from '../support/app';
import { CapturedLog, type LogLine } from '../support/captured-log';
import { fund, submit } from '../support/ai';
import { bearer, newUser } from '../support/factories';

describe('logs: complete and safe', () => {
  let api: TestApi;
  const log = new CapturedLog();

  beforeAll(async () => {
    api = await startApi({ LOG_LEVEL: 'info' }, { logDestination: log });
  });

  afterAll(async () => {
    await api.close();
  });

  const accessLinesFor = (requestId: string) =>
    log.waitFor(
      (line: LogLine) => line.msg === 'request completed' && line.requestId === requestId,
    );

  it('writes one access line per request at info, with route template, status, duration, user and request id', async () => {
    const user = await newUser(api);
    const res = await api
      .http()
      .get('/v1/me')
      .set(...bearer(user.accessToken));
    expect(res.status).toBe(200);
    const requestId = String(res.headers['x-request-id']);
    const lines = await accessLinesFor(requestId);
    expect(lines).toHaveLength(1);
    // Nothing else is written for a plain request: the access line is its only line.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log.lines.filter((line) => JSON.stringify(line).includes(requestId))).toEqual(lines);
    expect(lines[0]).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/v1/me',
      statusCode: 200,
      durationMs: expect.any(Number),
      userId: user.id,
      requestId,
    });
  });

  it('logs the route template, not the URL with its ids and query, and requests Fastify refuses', async () => {
    const user = await newUser(api);
    const id = '00000000-0000-4000-8000-000000000000';
    const res = await api
      .http()
      .get(`/v1/ai/jobs/${id}?secret=shh`)
      .set(...bearer(user.accessToken));
    // A query parameter the operation does not list: refused before the route runs.
    expect(res.status).toBe(400);
    const [line] = await accessLinesFor(String(res.headers['x-request-id']));
    expect(line).toMatchObject({ route: '/v1/ai/jobs/:id', statusCode: 400 });
    expect(JSON.stringify(line)).not.toContain('shh');
    const found = await api
      .http()
      .get(`/v1/ai/jobs/${id}`)
      .set(...bearer(user.accessToken));
    expect(found.status).toBe(404);
    const [foundLine] = await accessLinesFor(String(found.headers['x-request-id']));
    expect(foundLine).toMatchObject({
      route: '/v1/ai/jobs/:id',
      statusCode: 404,
      userId: user.id,
    });

    const bad = await api
      .http()
      .post('/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{not json');
    expect(bad.status).toBe(400);
    const [badLine] = await accessLinesFor(String(bad.headers['x-request-id']));
    expect(badLine).toMatchObject({ method: 'POST', statusCode: 400, userId: null });
  });

  it('leaves the health probes out, by route, and is neither deaf nor lenient to a path under them', async () => {
    const probes = await Promise.all(
      ['/health', '/health/live', '/health/ready'].map((path) => api.http().get(path)),
    );
    const stray = await api.http().get('/health/anything-else');
    expect(stray.status).toBe(404);
    // An ordinary request: counted by the rate limiter, and logged as the catch-all's.
    expect(stray.headers['x-ratelimit-limit']).toBeDefined();
    const [strayLine] = await accessLinesFor(String(stray.headers['x-request-id']));
    expect(strayLine).toMatchObject({ method: 'GET', statusCode: 404 });
    for (const probe of probes) {
      expect(probe.headers['x-ratelimit-limit']).toBeUndefined();
      const id = String(probe.headers['x-request-id']);
      expect(log.lines.filter((line) => JSON.stringify(line).includes(id))).toEqual([]);
    }
  });

  it('writes the line of a request its client abandoned (499, aborted), and of a path Fastify refuses before any hook', async () => {
    const user = await newUser(api);
    await fund(api, user, 1);
    // No worker here: the job stays queued, and its event stream stays open until left.
    const job = await submit(api, user, { operation: 'generate', params: { prompt: 'a ring' } });
    expect(job.status).toBe(202);
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.app.getHttpServer().address() as AddressInfo;
    const controller = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${port}/v1/ai/jobs/${job.body.id}/events`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const requestId = String(stream.headers.get('x-request-id'));
    await stream.body?.getReader().read(); // the first event
    controller.abort();
    const left = await log.waitFor(
      (line: LogLine) => line.requestId === requestId && line.msg !== undefined,
    );
    expect(left).toEqual([
      expect.objectContaining({
        msg: 'request aborted by the client',
        route: '/v1/ai/jobs/:id/events',
        statusCode: 499,
        aborted: true,
        userId: user.id,
        durationMs: expect.any(Number),
      }),
    ]);

    const refused = await fetch(`http://127.0.0.1:${port}/v1/ai/jobs/%ED%A0%80`);
    expect(refused.status).toBe(400);
    const [line] = await accessLinesFor(String(refused.headers.get('x-request-id')));
    expect(line).toMatchObject({ method: 'GET', statusCode: 400 });

    // Both are in the HTTP histogram too (this process's registry: the API runs in it).
    const histogram = await metricsRegistry.getSingleMetricAsString(
      'jewelshot_http_request_duration_seconds',
    );
    expect(histogram).toMatch(
      /_count\{route="\/v1\/ai\/jobs\/:id\/events",method="GET",status_code="499"\} [1-9]/,
    );
    expect(histogram).toMatch(/_count\{route="unmatched",method="GET",status_code="400"\} [1-9]/);
  });

  it('never logs the parameters of a failing query', async () => {
    const secret = '$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0LXNhbHQ$dGhpcy1pcy1hLWhhc2g';
    const dataSource = api.app.get(DataSource);
    const error = await dataSource
      .query(
        `INSERT INTO users (email, password_hash, role, status) VALUES ($1, $2, 'nobody', 'active')`,
        ['x@example.test', secret],
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(QueryFailedError);
    const lines = await log.waitFor((line) => line.msg === 'query failed');
    expect(lines.length).toBeGreaterThan(0);
    expect(log.raw.join('\n')).not.toContain(secret);
    expect(log.raw.join('\n')).not.toContain('x@example.test');
    // The filter logs through the same scrubbing: the error itself carries the parameters.
    expect(JSON.stringify(error)).toContain(secret);
    expect(JSON.stringify(loggableError(error))).not.toContain(secret);
  });

  it('writes an error passed raw to a line (`{ err: error }`) without the query and parameters it carries', async () => {
    const secret = `device-${randomUUID()}`;
    const error = await api.app
      .get(DataSource)
      .query(`SELECT id FROM users WHERE id = $1::uuid`, [secret])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(QueryFailedError);
    // As a worker's failed handler logs (a Nest Logger): the error itself, not loggableError's.
    new Logger('RawErrorProbe').warn({ err: error, attempt: 1 }, 'raw error probe');
    const [line] = await log.waitFor((l) => l.msg === 'raw error probe');
    expect(line).toMatchObject({
      attempt: 1,
      err: { type: 'QueryFailedError', code: '22P02', message: expect.any(String) },
    });
    expect(JSON.stringify(line)).not.toMatch(/parameters|SELECT id FROM users/);
    expect(log.raw.join('\n')).not.toContain(secret);
  });

  it('validates the email length after normalisation (400, not 500)', async () => {
    // 'İ' lower-cases to 'i̇' (two code units): 250 characters given, 254+ stored.
    const local = 'İ'.repeat(10) + 'a'.repeat(230);
    const email = `${local}@ex.test`;
    expect(email.length).toBeLessThanOrEqual(254);
    expect(email.toLowerCase().length).toBeGreaterThan(254);
    const res = await api
      .http()
      .post('/v1/auth/register')
      .send({ email, password: 'a-long-uncommon-pass' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });
});
