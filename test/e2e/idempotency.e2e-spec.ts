import { BatchesService, IdempotencyService, JobsService } from '@jewelshot/ai-jobs';
import { DomainError } from '@jewelshot/platform';
import { startApi, type TestApi } from '../support/app';
import { fund, submit } from '../support/ai';
import { bearer, newUser, type TestUser } from '../support/factories';
import { smallPng } from '../support/images';
import { suitePrefix } from '../support/test-env';

/** Idempotency-Key on the other requests that spend or store: batches and uploads. */
describe('Idempotency-Key on batches and uploads', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({ REDIS_KEY_PREFIX: suitePrefix('idempotency'), SIGNUP_CREDITS: '0' });
  });

  afterAll(async () => {
    await api.close();
  });

  const uploadWithKey = (user: TestUser, bytes: Buffer, key?: string) => {
    const call = api
      .http()
      .post('/v1/uploads')
      .set(...bearer(user.accessToken));
    if (key !== undefined) call.set('Idempotency-Key', key);
    return call.attach('file', bytes, 'photo.png');
  };
  const batchWithKey = (user: TestUser, body: object, key?: string) => {
    const call = api
      .http()
      .post('/v1/batches')
      .set(...bearer(user.accessToken));
    if (key !== undefined) call.set('Idempotency-Key', key);
    return call.send(body);
  };
  /** A first request still in flight: its key taken with the same request's hash, nothing created yet. */
  const takeKeyLike = async (user: TestUser, from: string, key: string) => {
    await api.db.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash)
       SELECT user_id, $3, request_hash FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [user.id, from, key],
    );
  };

  /** Polls `check` every 20 ms for up to 10 s. */
  const until = async (check: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 500; i += 1) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`timed out waiting until ${what}`);
  };

  it("one key, one job: a retry that takes over a stalled first request's key leaves that first one nothing to create", async () => {
    const user = await newUser(api, 'key-takeover');
    await fund(api, user, 5);
    const body = { operation: 'generate', params: { prompt: 'taken over' } };
    const keyRows = () =>
      api.db.query(
        `SELECT created_at > now() - interval '30 seconds' AS fresh, job_id
           FROM idempotency_keys WHERE user_id = $1`,
        [user.id],
      ) as Promise<Array<{ fresh: boolean; job_id: string | null }>>;
    // The account's row locked: the first request claims its key, then waits in its reserve.
    const lock = api.db.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    let first: Promise<Awaited<ReturnType<typeof submit>>>;
    let second: Promise<Awaited<ReturnType<typeof submit>>>;
    try {
      await lock.query(`SELECT 1 FROM credit_accounts WHERE user_id = $1 FOR UPDATE`, [user.id]);
      first = submit(api, user, body, 'stalled-1');
      await until(async () => (await keyRows()).length === 1, 'the first request claimed its key');
      // Its claim now looks a minute old, as if its process had stalled that long: a retry with
      // the same key takes the key over (and waits for the account's lock in turn).
      await api.db.query(
        `UPDATE idempotency_keys SET created_at = created_at - interval '61 seconds' WHERE user_id = $1`,
        [user.id],
      );
      second = submit(api, user, body, 'stalled-1');
      await until(async () => (await keyRows())[0]?.fresh === true, 'the retry took the key over');
    } finally {
      await lock.commitTransaction();
      await lock.release();
    }
    const answers = await Promise.all([first, second]);
    expect(answers.map((answer) => answer.status)).toEqual([409, 202]);
    expect(answers[0]?.body.details).toEqual({ reason: 'IN_FLIGHT', retryAfterSeconds: 1 });
    expect(answers[0]?.headers['retry-after']).toBe('1');
    const jobs = (await api.db.query(`SELECT id FROM ai_jobs WHERE user_id = $1`, [
      user.id,
    ])) as Array<{
      id: string;
    }>;
    expect(jobs).toEqual([{ id: answers[1]?.body.id }]);
    // One hold, the retry's job's: the first request's was rolled back with its job.
    const holds = await api.db.query(
      `SELECT j.id AS job_id FROM credit_holds h LEFT JOIN ai_jobs j ON j.hold_id = h.id
        WHERE h.user_id = $1`,
      [user.id],
    );
    expect(holds).toEqual([{ job_id: answers[1]?.body.id }]);
    // The key names the retry's job, and a replay answers with it.
    expect((await keyRows())[0]?.job_id).toBe(answers[1]?.body.id);
    const replay = await submit(api, user, body, 'stalled-1');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(answers[1]?.body.id);
  });

  it('uploads: the same key and bytes give the same file, stored once; other bytes 422; in flight 409', async () => {
    const user = await newUser(api, 'upload-key');
    const bytes = await smallPng(64, 48);
    const first = await uploadWithKey(user, bytes, 'upload-1');
    const again = await uploadWithKey(user, bytes, 'upload-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).toBe(first.body.id);
    const files = await api.db.query(`SELECT id FROM files WHERE user_id = $1`, [user.id]);
    expect(files).toEqual([{ id: first.body.id }]);

    const other = await uploadWithKey(user, await smallPng(65, 48), 'upload-1');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    await takeKeyLike(user, 'upload-1', 'upload-busy');
    const busy = await uploadWithKey(user, bytes, 'upload-busy');
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('CONFLICT');
    expect(busy.body.details).toEqual({ reason: 'IN_FLIGHT', retryAfterSeconds: 1 });
    expect(busy.headers['retry-after']).toBe('1');

    // Without a key, each upload is its own.
    expect((await uploadWithKey(user, bytes)).status).toBe(201);
    expect((await uploadWithKey(user, bytes)).status).toBe(201);
    const count = await api.db.query(`SELECT count(*)::int AS n FROM files WHERE user_id = $1`, [
      user.id,
    ]);
    expect(count).toEqual([{ n: 3 }]);
  });

  it('uploads: a refused upload frees its key', async () => {
    const user = await newUser(api, 'upload-free');
    const refused = await uploadWithKey(user, Buffer.from('not an image at all'), 'upload-2');
    expect(refused.status).toBe(415);
    const [row] = await api.db.query(
      `SELECT count(*)::int AS n FROM idempotency_keys WHERE user_id = $1`,
      [user.id],
    );
    expect(row.n).toBe(0);
  });

  it('batches: the same key and body give the same batch with one set of holds; another body 422; in flight 409', async () => {
    const user = await newUser(api, 'batch-key');
    await fund(api, user, 10);
    const image = (await uploadWithKey(user, await smallPng(50, 40))).body.id as string;
    const body = {
      name: 'twice',
      operation: 'upscale',
      params: { scale: 2 },
      inputImageIds: [image],
    };
    const first = await batchWithKey(user, body, 'batch-1');
    const again = await batchWithKey(user, body, 'batch-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.items.map((item: { id: string }) => item.id)).toEqual(
      first.body.items.map((item: { id: string }) => item.id),
    );
    const batches = await api.db.query(`SELECT id FROM batches WHERE user_id = $1`, [user.id]);
    expect(batches).toEqual([{ id: first.body.id }]);
    const holds = await api.db.query(`SELECT id FROM credit_holds WHERE user_id = $1`, [user.id]);
    expect(holds).toHaveLength(1);

    const other = await batchWithKey(user, { ...body, name: 'another' }, 'batch-1');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    await takeKeyLike(user, 'batch-1', 'batch-busy');
    const busy = await batchWithKey(user, body, 'batch-busy');
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('CONFLICT');
    expect(busy.body.details).toEqual({ reason: 'IN_FLIGHT', retryAfterSeconds: 1 });
    expect(busy.headers['retry-after']).toBe('1');
  });

  it('batches: a batch refused for credits frees its key; the retry after a top-up goes through', async () => {
    const user = await newUser(api, 'batch-poor');
    const image = (await uploadWithKey(user, await smallPng(52, 40))).body.id as string;
    const body = {
      name: 'poor',
      operation: 'upscale',
      params: { scale: 2 },
      inputImageIds: [image],
    };
    expect((await batchWithKey(user, body, 'batch-2')).status).toBe(402);
    await fund(api, user, 5);
    const retried = await batchWithKey(user, body, 'batch-2');
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('batches: a batch that committed but whose answer was lost keeps its key: the retry replays it, not a second batch', async () => {
    const user = await newUser(api, 'batch-lost-answer');
    await fund(api, user, 5);
    const image = (await uploadWithKey(user, await smallPng(52, 44))).body.id as string;
    const body = {
      name: 'lost',
      operation: 'upscale',
      params: { scale: 2 },
      inputImageIds: [image],
    };
    // The connection cut after the COMMIT: the batch and its key's answer stand, the call throws.
    const batches = api.app.get(BatchesService) as unknown as {
      create: (...args: unknown[]) => Promise<unknown>;
    };
    const create = batches.create.bind(batches);
    const spy = jest.spyOn(batches, 'create').mockImplementationOnce(async (...args) => {
      await create(...args);
      throw new Error('Connection terminated unexpectedly');
    });
    try {
      expect((await batchWithKey(user, body, 'batch-lost')).status).toBe(503);
    } finally {
      spy.mockRestore();
    }
    const retried = await batchWithKey(user, body, 'batch-lost');
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    const [{ n }] = await api.db.query(
      'SELECT count(*)::int AS n FROM batches WHERE user_id = $1',
      [user.id],
    );
    expect(n).toBe(1);
  });

  it('a keyed submit whose outcome is unknown says so, though its key could not be freed (the database still gone)', async () => {
    const user = await newUser(api, 'unknown-kept');
    await fund(api, user, 5);
    const jobs = api.app.get(JobsService) as unknown as {
      record: (...args: unknown[]) => Promise<unknown>;
    };
    const idempotency = api.app.get(IdempotencyService) as unknown as {
      apart: (...args: unknown[]) => Promise<unknown>;
    };
    // What whatCommitted ends with when the server cannot say in time; then freeing the key
    // finds the database gone too.
    const unknown = new DomainError('SERVICE_UNAVAILABLE', 'outcome unknown', {
      outcome: 'unknown',
    });
    const record = jest.spyOn(jobs, 'record').mockRejectedValueOnce(unknown);
    const original = idempotency.apart.bind(idempotency);
    const apart = jest.spyOn(idempotency, 'apart');
    apart.mockImplementation(async (...args: unknown[]) => {
      // The key's claim goes through; freeing it does not.
      if (record.mock.calls.length > 0) throw new Error('Connection terminated unexpectedly');
      return original(...args);
    });
    let res;
    try {
      res = await submit(api, user, { operation: 'generate', params: { prompt: 'x' } }, 'kept');
    } finally {
      record.mockRestore();
      apart.mockRestore();
    }
    expect(res.status).toBe(503);
    expect(res.body.details).toEqual({ outcome: 'unknown' });
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('one key cannot mean two requests: a job key on a batch or an upload is 422', async () => {
    const user = await newUser(api, 'cross');
    await fund(api, user, 10);
    const job = await submit(
      api,
      user,
      { operation: 'generate', params: { prompt: 'a ring' } },
      'shared',
    );
    expect(job.status).toBe(202);
    const upload = await uploadWithKey(user, await smallPng(40, 40), 'shared');
    expect(upload.status).toBe(422);
    const image = (await uploadWithKey(user, await smallPng(41, 40))).body.id as string;
    const batch = await batchWithKey(
      user,
      { name: 'x', operation: 'upscale', params: { scale: 2 }, inputImageIds: [image] },
      'shared',
    );
    expect(batch.status).toBe(422);
    const uploaded = await uploadWithKey(user, await smallPng(42, 40), 'upload-key');
    expect(uploaded.status).toBe(201);
    const jobAfter = await submit(
      api,
      user,
      { operation: 'generate', params: { prompt: 'a ring' } },
      'upload-key',
    );
    expect(jobAfter.status).toBe(422);
  });

  describe('without a key, a create whose database went away as it committed', () => {
    /**
     * Makes `call` with the service's one-transaction `record` run once as the database's loss
     * leaves it: when `commits`, it commits and still throws (the connection cut after the
     * COMMIT); otherwise it throws having written nothing.
     */
    const losingTheAnswer = async <T>(
      service: object,
      commits: boolean,
      call: () => Promise<T>,
    ) => {
      const target = service as { record: (...args: unknown[]) => Promise<unknown> };
      const record = target.record.bind(target);
      const spy = jest.spyOn(target, 'record').mockImplementationOnce(async (...args) => {
        if (commits) await record(...args);
        throw new Error('Connection terminated unexpectedly');
      });
      try {
        return await call();
      } finally {
        spy.mockRestore();
      }
    };
    const counts = async (user: TestUser) =>
      (
        await api.db.query(
          `SELECT (SELECT count(*)::int FROM ai_jobs WHERE user_id = $1) AS jobs,
                  (SELECT count(*)::int FROM batches WHERE user_id = $1) AS batches,
                  (SELECT count(*)::int FROM credit_holds WHERE user_id = $1) AS holds`,
          [user.id],
        )
      )[0] as { jobs: number; batches: number; holds: number };

    it('a job: answered with the job its rows say was made (202), or 503 when none was', async () => {
      const user = await newUser(api, 'job-lost-commit');
      await fund(api, user, 5);
      const body = { operation: 'generate', params: { prompt: 'lost commit' } };
      const jobs = api.app.get(JobsService);

      const refused = await losingTheAnswer(jobs, false, () => submit(api, user, body));
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(await counts(user)).toMatchObject({ jobs: 0, holds: 0 });

      const accepted = await losingTheAnswer(jobs, true, () => submit(api, user, body));
      expect(accepted.status).toBe(202);
      const rows = await api.db.query(`SELECT id, status FROM ai_jobs WHERE user_id = $1`, [
        user.id,
      ]);
      expect(rows).toEqual([{ id: accepted.body.id, status: 'queued' }]);
      expect(await counts(user)).toMatchObject({ jobs: 1, holds: 1 });
    });

    it('a batch made before the database went away is answered 201 from its rows, with no read after its COMMIT', async () => {
      const user = await newUser(api, 'batch-gone-after');
      await fund(api, user, 5);
      const images = [
        (await uploadWithKey(user, await smallPng(51, 44))).body.id as string,
        (await uploadWithKey(user, await smallPng(52, 44))).body.id as string,
      ];
      const batches = api.app.get(BatchesService);
      // Any read of a batch now finds the database gone.
      const read = jest
        .spyOn(batches, 'get')
        .mockRejectedValue(new Error('Connection terminated unexpectedly'));
      let created;
      try {
        created = await batchWithKey(user, {
          name: 'made',
          operation: 'upscale',
          params: { scale: 2 },
          inputImageIds: images,
        });
        expect(read).not.toHaveBeenCalled();
      } finally {
        read.mockRestore();
      }
      expect(created.status).toBe(201);
      const rows = await api.db.query(
        `SELECT id FROM ai_jobs WHERE batch_id = $1 ORDER BY created_at, id`,
        [created.body.id],
      );
      expect(created.body.items.map((item: { id: string }) => item.id)).toEqual(
        rows.map((row: { id: string }) => row.id),
      );
      expect(created.body.progress).toEqual({
        total: 2,
        queued: 2,
        running: 0,
        succeeded: 0,
        failed: 0,
        canceled: 0,
      });
      // And read afterwards, it is the same batch.
      const shown = await api
        .http()
        .get(`/v1/batches/${created.body.id}`)
        .set(...bearer(user.accessToken));
      expect(shown.body).toEqual(created.body);
    });

    it('a batch: answered with the batch its rows say was made (201), or 503 when none was', async () => {
      const user = await newUser(api, 'batch-lost-commit');
      await fund(api, user, 5);
      const image = (await uploadWithKey(user, await smallPng(53, 44))).body.id as string;
      const body = {
        name: 'lost',
        operation: 'upscale',
        params: { scale: 2 },
        inputImageIds: [image],
      };
      const batches = api.app.get(BatchesService);

      const refused = await losingTheAnswer(batches, false, () => batchWithKey(user, body));
      expect(refused.status).toBe(503);
      expect(await counts(user)).toMatchObject({ batches: 0, jobs: 0, holds: 0 });

      const created = await losingTheAnswer(batches, true, () => batchWithKey(user, body));
      expect(created.status).toBe(201);
      const [batch] = await api.db.query(`SELECT id FROM batches WHERE user_id = $1`, [user.id]);
      expect(created.body.id).toBe(batch.id);
      expect(created.body.items).toHaveLength(1);
      expect(await counts(user)).toMatchObject({ batches: 1, jobs: 1, holds: 1 });
    });
  });
});
