import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { JobHoldActivity } from '@jewelshot/ai-jobs';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import {
  aiQueue,
  expectLedgerClean,
  fund,
  jobRows,
  submit,
  upload,
  waitTerminal,
} from '../support/ai';
import { bearer, newUser } from '../support/factories';
import { smallPng } from '../support/images';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { freePort } from '../support/free-port';
import { startWorkerProcess } from '../support/worker-process';

describe('AI jobs', () => {
  let api: TestApi;
  let env: NodeJS.ProcessEnv;
  let worker: WorkerApp | undefined;

  const startWorker = async (overrides: NodeJS.ProcessEnv = {}) => {
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env, ...overrides }));
    return worker;
  };
  const stopWorker = async () => {
    await worker?.close();
    worker = undefined;
  };

  beforeAll(async () => {
    env = { REDIS_KEY_PREFIX: suitePrefix('ai-jobs'), SIGNUP_CREDITS: '3' };
    api = await startApi(env);
  });

  afterEach(async () => {
    await stopWorker();
  });

  afterAll(async () => {
    await api.close();
  });

  it('refuses a job it cannot pay for: 402, no job row, nothing queued', async () => {
    const user = await newUser(api);
    const queue = aiQueue(api);
    try {
      const before = await queue.getJobCounts();
      const res = await submit(api, user, {
        operation: 'generate',
        params: { prompt: 'ring', numImages: 4 },
      });
      expect(res.status).toBe(402);
      expect(res.body).toMatchObject({
        code: 'INSUFFICIENT_CREDITS',
        details: { needed: 4, available: 3 },
      });
      const rows = await api.db.query('SELECT id FROM ai_jobs WHERE user_id = $1', [user.id]);
      expect(rows).toEqual([]);
      expect(await queue.getJobCounts()).toEqual(before);
      const balance = await api
        .http()
        .get('/v1/credits/balance')
        .set(...bearer(user.accessToken));
      expect(balance.body).toEqual({ balance: 3, reserved: 0, available: 3 });
    } finally {
      await queue.close();
    }
  });

  it('validates params per operation and refuses an input image that is not yours', async () => {
    const user = await newUser(api);
    const other = await newUser(api);
    const bad = await submit(api, user, {
      operation: 'generate',
      params: { prompt: '', numImages: 9, extra: 1 },
    });
    expect(bad.status).toBe(400);
    const fields = bad.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining(['params.prompt', 'params.numImages', 'params.extra']),
    );
    // A prompt with nothing to say, or with terminal escapes, is refused (it would be charged).
    for (const prompt of ['   ', '\n\t\u3000', 'ring \u001b[31mred', 'ring\u0007']) {
      const res = await submit(api, user, { operation: 'generate', params: { prompt } });
      expect([prompt, res.status, res.body.details]).toEqual([
        prompt,
        400,
        [expect.objectContaining({ field: 'params.prompt' })],
      ]);
    }
    // One message per field, the most basic first.
    const numeric = await submit(api, user, { operation: 'generate', params: { prompt: 5 } });
    expect(numeric.body.details).toEqual([
      { field: 'params.prompt', message: 'prompt must be a string', constraint: 'isString' },
    ]);
    // Line breaks and tabs are text.
    const multiline = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'gold ring\r\n\ton marble' },
    });
    expect(multiline.status).toBe(202);
    expect((await submit(api, user, { operation: 'paint', params: {} })).status).toBe(400);
    expect(
      (await submit(api, user, { operation: 'upscale', params: { inputImageId: 'x', scale: 3 } }))
        .status,
    ).toBe(400);
    const { body: file } = await upload(api, other, await smallPng());
    const foreign = await submit(api, user, {
      operation: 'upscale',
      params: { inputImageId: file.id },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.details).toEqual([
      expect.objectContaining({ field: 'params.inputImageId' }),
    ]);
  });

  it('runs a job end to end: held, queued, run by the worker, charged once, outputs stored', async () => {
    const user = await newUser(api);
    const res = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'gold ring on marble', numImages: 2 },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: 'queued',
      cost: 2,
      priority: 'normal',
      outputs: [],
      error: null,
    });
    await startWorker();
    await waitTerminal(api, [res.body.id]);
    const job = await api
      .http()
      .get(`/v1/ai/jobs/${res.body.id}`)
      .set(...bearer(user.accessToken));
    expect(job.body).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    expect(job.body.outputs).toHaveLength(2);
    const image = await api
      .http()
      .get(new URL(job.body.outputs[0].url).pathname + new URL(job.body.outputs[0].url).search);
    expect(image.status).toBe(200);
    const balance = await api
      .http()
      .get('/v1/credits/balance')
      .set(...bearer(user.accessToken));
    expect(balance.body).toEqual({ balance: 1, reserved: 0, available: 1 });
    await expectLedgerClean(api);
  });

  it('takes 50 jobs at a 30% provider failure rate to a terminal state, each paid exactly once or refunded', async () => {
    const user = await newUser(api);
    await fund(api, user, 100);
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      const res = await submit(api, user, {
        operation: 'generate',
        params: { prompt: `ring ${i}` },
      });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    await startWorker({ LOCAL_PROVIDER_FAILURE_RATE: '0.3', WORKER_CONCURRENCY: '8' });
    const rows = await waitTerminal(api, ids);
    const succeeded = rows.filter((row) => row.status === 'succeeded');
    const failed = rows.filter((row) => row.status === 'failed');
    expect(succeeded.length + failed.length).toBe(50);
    for (const row of succeeded) expect(row.hold_status).toBe('posted');
    for (const row of failed) expect(row.hold_status).toBe('voided');
    // Retries happened (30% of first attempts fail), and none ran more than 3 times.
    expect(rows.some((row) => row.attempts > 1)).toBe(true);
    expect(Math.max(...rows.map((row) => row.attempts))).toBeLessThanOrEqual(3);
    const balance = await api
      .http()
      .get('/v1/credits/balance')
      .set(...bearer(user.accessToken));
    expect(balance.body).toEqual({
      balance: 103 - succeeded.length,
      reserved: 0,
      available: 103 - succeeded.length,
    });
    const charges = await api.db.query(
      `SELECT COUNT(*)::int AS n FROM credit_entries WHERE user_id = $1 AND kind = 'charge'`,
      [user.id],
    );
    expect(charges[0].n).toBe(succeeded.length);
    await expectLedgerClean(api);
  });

  it('replays an Idempotency-Key: the same job and one hold; another body is 422; in flight is 409', async () => {
    const user = await newUser(api);
    const body = { operation: 'generate', params: { prompt: 'idempotent ring' } };
    const first = await submit(api, user, body, 'key-1');
    const again = await submit(api, user, body, 'key-1');
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const holds = await api.db.query(`SELECT id FROM credit_holds WHERE user_id = $1`, [user.id]);
    expect(holds).toHaveLength(1);

    const reused = await submit(
      api,
      user,
      { operation: 'generate', params: { prompt: 'another ring' } },
      'key-1',
    );
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // A first request still in flight (key taken, nothing created yet).
    await api.db.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, 'key-2', $2)`,
      [user.id, '0'.repeat(64)],
    );
    const inFlight = await submit(api, user, body, 'key-2');
    expect([409, 422]).toContain(inFlight.status);
    const sameHash = await api.db.query(
      `SELECT request_hash FROM idempotency_keys WHERE user_id = $1 AND key = 'key-1'`,
      [user.id],
    );
    await api.db.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, 'key-3', $2)`,
      [user.id, sameHash[0].request_hash],
    );
    const busy = await submit(api, user, body, 'key-3');
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('CONFLICT');

    // Failing requests free their key: a retry after topping up goes through.
    const poor = await newUser(api);
    const big = { operation: 'generate', params: { prompt: 'x', numImages: 4 } };
    expect((await submit(api, poor, big, 'k')).status).toBe(402);
    await fund(api, poor, 5);
    expect((await submit(api, poor, big, 'k')).status).toBe(202);
  });

  it("answers 404 to another user's job, and lets the owner list by status", async () => {
    const owner = await newUser(api);
    const other = await newUser(api);
    const { body: job } = await submit(api, owner, {
      operation: 'generate',
      params: { prompt: 'mine' },
    });
    expect(
      (
        await api
          .http()
          .get(`/v1/ai/jobs/${job.id}`)
          .set(...bearer(other.accessToken))
      ).status,
    ).toBe(404);
    expect(
      (
        await api
          .http()
          .post(`/v1/ai/jobs/${job.id}/cancel`)
          .set(...bearer(other.accessToken))
      ).status,
    ).toBe(404);
    expect(
      (
        await api
          .http()
          .get(`/v1/ai/jobs/${job.id}/events`)
          .set(...bearer(other.accessToken))
      ).status,
    ).toBe(404);
    expect(
      (
        await api
          .http()
          .get(`/v1/ai/jobs/not-a-uuid`)
          .set(...bearer(owner.accessToken))
      ).status,
    ).toBe(404);
    expect(
      (
        await api
          .http()
          .get(`/v1/ai/jobs/${'-'.repeat(36)}`)
          .set(...bearer(owner.accessToken))
      ).status,
    ).toBe(404);
    expect(
      (
        await api
          .http()
          .get(`/v1/files/${'-'.repeat(36)}`)
          .set(...bearer(owner.accessToken))
      ).status,
    ).toBe(404);
    const list = await api
      .http()
      .get('/v1/ai/jobs?status=queued')
      .set(...bearer(owner.accessToken));
    expect(list.body.data.map((j: { id: string }) => j.id)).toEqual([job.id]);
    const otherList = await api
      .http()
      .get('/v1/ai/jobs')
      .set(...bearer(other.accessToken));
    expect(otherList.body.data).toEqual([]);
  });

  it('cancels a queued job at once with a refund, and refuses to cancel a finished one', async () => {
    const user = await newUser(api);
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'cancel me' },
    });
    const canceled = await api
      .http()
      .post(`/v1/ai/jobs/${job.id}/cancel`)
      .set(...bearer(user.accessToken));
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', error: { code: 'CANCELED' } });
    const [row] = await jobRows(api, [job.id]);
    expect(row?.hold_status).toBe('voided');
    const again = await api
      .http()
      .post(`/v1/ai/jobs/${job.id}/cancel`)
      .set(...bearer(user.accessToken));
    expect(again.status).toBe(409);
    // The worker skips it even though it was queued in BullMQ.
    await startWorker();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await jobRows(api, [job.id]))[0]?.status).toBe('canceled');
    await expectLedgerClean(api);
  });

  it('never says a job finished before it started: a cancel that waited for the claim of its job', async () => {
    const user = await newUser(api);
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'claimed as it is canceled' },
    });
    // The row locked, as the worker's claim holds it while it commits.
    const claim = api.db.createQueryRunner();
    await claim.connect();
    await claim.startTransaction();
    let canceled: Promise<{ status: number; body: { startedAt: string; finishedAt: string } }>;
    try {
      await claim.query(`SELECT 1 FROM ai_jobs WHERE id = $1 FOR UPDATE`, [job.id]);
      // The cancel's transaction begins now and waits for the row.
      canceled = api
        .http()
        .post(`/v1/ai/jobs/${job.id}/cancel`)
        .set(...bearer(user.accessToken))
        .then((res) => res);
      for (let waiting = 0; waiting !== 1;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        [{ waiting }] = (await api.db.query(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE '%ai_jobs%FOR UPDATE%'`,
        )) as [{ waiting: number }];
      }
      // The worker's claim, later by the clock than the cancel's transaction began.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await claim.query(
        `UPDATE ai_jobs SET status = 'running', attempts = attempts + 1,
                started_at = claimed.at, updated_at = claimed.at
           FROM (SELECT clock_timestamp() AS at) AS claimed
          WHERE id = $1`,
        [job.id],
      );
    } finally {
      await claim.commitTransaction();
      await claim.release();
    }
    const res = await canceled;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'canceled', error: { code: 'CANCELED' } });
    expect(Date.parse(res.body.finishedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.startedAt));
    const [row] = (await api.db.query(
      `SELECT finished_at >= started_at AND updated_at >= finished_at AS ordered
         FROM ai_jobs WHERE id = $1`,
      [job.id],
    )) as Array<{ ordered: boolean }>;
    expect(row?.ordered).toBe(true);
    await expectLedgerClean(api);
  });

  it('tells the hold sweeper a hold is in use exactly while its job is queued or running', async () => {
    const user = await newUser(api);
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'in use' },
    });
    // The sweeper asks from the worker, whose connections see every user's rows: so does api.db.
    const activity = new JobHoldActivity(api.db);
    const stranger = '00000000-0000-4000-8000-000000000000';
    expect(await activity.stillActive([job.id, stranger, 'signup:x'])).toEqual(new Set([job.id]));
    await api
      .http()
      .post(`/v1/ai/jobs/${job.id}/cancel`)
      .set(...bearer(user.accessToken));
    expect(await activity.stillActive([job.id])).toEqual(new Set());
  });

  it('cancels a running job at once with a refund, and the worker never charges it', async () => {
    const user = await newUser(api);
    await startWorker({ LOCAL_PROVIDER_LATENCY_MS: '3000' });
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'slow ring' },
    });
    for (let i = 0; i < 200 && (await jobRows(api, [job.id]))[0]?.status !== 'running'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const res = await api
      .http()
      .post(`/v1/ai/jobs/${job.id}/cancel`)
      .set(...bearer(user.accessToken));
    // The answer is the settled truth, not a request the worker may still lose to the provider.
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'canceled',
      cancelRequested: true,
      error: { code: 'CANCELED' },
    });
    expect((await jobRows(api, [job.id]))[0]).toMatchObject({
      status: 'canceled',
      hold_status: 'voided',
    });
    // Past the provider's latency the worker has let go of it, uncharged.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect((await jobRows(api, [job.id]))[0]).toMatchObject({
      status: 'canceled',
      hold_status: 'voided',
    });
    expect(
      (
        await api
          .http()
          .post(`/v1/ai/jobs/${job.id}/cancel`)
          .set(...bearer(user.accessToken))
      ).status,
    ).toBe(409);
    await expectLedgerClean(api);
  });

  it('streams status changes as Server-Sent Events until the job ends', async () => {
    const user = await newUser(api);
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'streamed ring' },
    });
    await startWorker({ LOCAL_PROVIDER_LATENCY_MS: '300' });
    const res = await api
      .http()
      .get(`/v1/ai/jobs/${job.id}/events`)
      .set(...bearer(user.accessToken))
      .buffer(true)
      .parse((response, callback) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => callback(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.headers['x-request-id']).toBeDefined();
    const statuses = String(res.body)
      .split('\n\n')
      .filter((block) => block.includes('data: '))
      .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)).status);
    expect(statuses[statuses.length - 1]).toBe('succeeded');
    expect(statuses).toContain('running');
  });

  it('caps the event streams one user may hold open', async () => {
    const user = await newUser(api);
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'watched ring' },
    });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const address = api.app.getHttpServer().address() as AddressInfo;
    const controllers: AbortController[] = [];
    try {
      const open = async () => {
        const controller = new AbortController();
        controllers.push(controller);
        return fetch(`http://127.0.0.1:${address.port}/v1/ai/jobs/${job.id}/events`, {
          headers: { authorization: `Bearer ${user.accessToken}` },
          signal: controller.signal,
        });
      };
      const streams = [];
      for (let i = 0; i < 10; i += 1) streams.push(await open());
      expect(streams.map((r) => r.status)).toEqual(Array(10).fill(200));
      const eleventh = await open();
      expect(eleventh.status).toBe(429);
      expect(await eleventh.json()).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
      // Closing one frees a place (as soon as the server has seen the close).
      controllers[0]?.abort();
      let status = 429;
      for (let i = 0; i < 40 && status === 429; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (await open()).status;
      }
      expect(status).toBe(200);
    } finally {
      for (const controller of controllers) controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('a stopping API ends its open event streams (the client resumes elsewhere) instead of waiting on them', async () => {
    const user = await newUser(api);
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'watched through a restart' },
    });
    const port = await freePort();
    const other = await startWorkerProcess(
      { ...env, PORT: String(port), LOG_LEVEL: 'warn', API_SHUTDOWN_TIMEOUT_MS: '20000' },
      join('test', 'support', 'api-process-main.ts'),
    );
    const controller = new AbortController();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/ai/jobs/${job.id}/events`, {
        headers: { authorization: `Bearer ${user.accessToken}` },
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body?.getReader();
      if (!reader) throw new Error('no stream body');
      const read = (async () => {
        let text = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return text;
          text += Buffer.from(value).toString();
        }
      })().catch(() => '[cut off]');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      const code = await other.stop();
      // Stopped by its shutdown hooks (Nest re-raises the signal: no exit code), not the deadline.
      expect(code).toBeNull();
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(other.output()).not.toMatch(/did not stop within/);
      const text = await read;
      // The stream ended cleanly, with the job's status and no `end` event: `end` tells a
      // client to stop watching, and this one should reconnect (to another API process).
      expect(text).toContain('event: status');
      expect(text).not.toContain('event: end');
      expect(text).not.toContain('[cut off]');
    } finally {
      controller.abort();
      await other.kill();
    }
  }, 60_000);

  it('answers the old direct provider paths with 410 and where to go', async () => {
    for (const path of ['/api/ai/generate', '/api/ai/edit', '/api/ai/submit']) {
      const res = await api.http().post(path).send({ prompt: 'free ring' });
      expect(res.status).toBe(410);
      expect(res.body).toMatchObject({ statusCode: 410, code: 'GONE', migrateTo: '/v1/ai/jobs' });
    }
  });
});
