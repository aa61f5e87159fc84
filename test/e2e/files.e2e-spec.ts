import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  FILE_STORAGE,
  OrphanFiles,
  StoredObjectNotFoundError,
  type FileStorage,
} from '@jewelshot/ai-jobs';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { expectLedgerClean, fund, submit, upload, waitTerminal } from '../support/ai';
import { bearer, newAdmin, newApiKey, newUser, type TestUser } from '../support/factories';
import { smallPng } from '../support/images';
import { baseTestEnv, suitePrefix } from '../support/test-env';

/** Small enough that two copies of `bulky` do not fit, large enough for one and the small files. */
const QUOTA = 100_000;
const TWO_DAYS_AGO = new Date(Date.now() - 2 * 24 * 3600 * 1000);

/** A PNG of noise that stays about 68 KB once stored: one fits in QUOTA, two do not. */
async function bulky(): Promise<Buffer> {
  const side = 150;
  return sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();
}

interface FileBody {
  id: string;
  kind: string;
  jobId: string | null;
  url: string;
  bytes: number;
  createdAt: string;
}

describe('a seller lists and deletes their files', () => {
  let api: TestApi;
  let env: NodeJS.ProcessEnv;
  let storageDir: string;
  let worker: WorkerApp | undefined;

  beforeAll(async () => {
    // A storage directory of the suite's own: the orphan sweep below lists all of it.
    storageDir = await mkdtemp(join(tmpdir(), 'jewelshot-files-'));
    env = {
      REDIS_KEY_PREFIX: suitePrefix('files'),
      STORAGE_DIR: storageDir,
      STORAGE_QUOTA_BYTES: String(QUOTA),
      PUBLIC_BASE_URL: 'http://files.test',
      SIGNUP_CREDITS: '0',
    };
    api = await startApi(env);
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  afterAll(async () => {
    await api.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  const startWorker = async (overrides: NodeJS.ProcessEnv = {}) => {
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env, ...overrides }));
  };
  const storage = () => api.app.get<FileStorage>(FILE_STORAGE);
  const keyOf = async (fileId: string): Promise<string> =>
    (
      (await api.db.query(`SELECT storage_key FROM files WHERE id = $1`, [fileId])) as Array<{
        storage_key: string;
      }>
    )[0]?.storage_key ?? '';
  const stored = async (key: string): Promise<boolean> => {
    try {
      (await storage().get(key)).destroy();
      return true;
    } catch (error) {
      if (error instanceof StoredObjectNotFoundError) return false;
      throw error;
    }
  };
  const as = (user: TestUser) => bearer(user.accessToken);
  const list = (user: TestUser, query = '') =>
    api
      .http()
      .get(`/v1/files${query}`)
      .set(...as(user));
  const remove = (user: TestUser, id: string) =>
    api
      .http()
      .delete(`/v1/files/${id}`)
      .set(...as(user));
  /** Cancels a job (`/v1/ai/jobs/<id>`) or a batch (`/v1/batches/<id>`): its status code. */
  const cancel = async (user: TestUser, path: string) =>
    (
      await api
        .http()
        .post(`${path}/cancel`)
        .set(...as(user))
    ).status;
  const usage = async (user: TestUser) =>
    (
      await api
        .http()
        .get('/v1/files/usage')
        .set(...as(user))
    ).body as { usedBytes: number; quotaBytes: number };
  const fetchSigned = (url: string) => api.http().get(url.replace('http://files.test', ''));
  const uploaded = async (user: TestUser, bytes?: Buffer): Promise<FileBody> => {
    const res = await upload(api, user, bytes ?? (await smallPng()));
    expect(res.status).toBe(201);
    return res.body as FileBody;
  };
  /** A remove-background job of `input`, run by the worker to success; its id and its output. */
  const succeededJob = async (user: TestUser, input: string) => {
    await fund(api, user, 1);
    const res = await submit(api, user, {
      operation: 'remove-background',
      params: { inputImageId: input },
    });
    expect(res.status).toBe(202);
    const jobId = (res.body as { id: string }).id;
    if (!worker) await startWorker();
    const [row] = await waitTerminal(api, [jobId]);
    expect(row?.status).toBe('succeeded');
    const job = await api
      .http()
      .get(`/v1/ai/jobs/${jobId}`)
      .set(...as(user));
    const output = (job.body as { outputs: Array<{ fileId: string }> }).outputs[0]?.fileId ?? '';
    return { jobId, output };
  };

  it('lists uploads and outputs newest first, a page at a time, one kind or both', async () => {
    const user = await newUser(api);
    const [a, b, c] = [await uploaded(user), await uploaded(user), await uploaded(user)];
    const { jobId, output } = await succeededJob(user, a.id);

    const first = await list(user, '?limit=2');
    expect(first.status).toBe(200);
    const page1 = first.body as { data: FileBody[]; nextCursor: string | null };
    expect(page1.data.map((file) => file.id)).toEqual([output, c.id]);
    expect(page1.data[0]).toMatchObject({ kind: 'output', jobId, contentType: 'image/png' });
    expect(page1.data[1]).toMatchObject({ kind: 'upload', jobId: null, bytes: c.bytes });
    expect(page1.data[1]?.url).toMatch(/^http:\/\/files\.test\/v1\/files\/.+&sig=/);
    expect(Date.parse(page1.data[1]?.createdAt ?? '')).toBeGreaterThan(0);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await list(user, `?limit=2&cursor=${page1.nextCursor}`);
    expect(second.status).toBe(200);
    expect((second.body.data as FileBody[]).map((file) => file.id)).toEqual([b.id, a.id]);
    expect(second.body.nextCursor).toBeNull();

    const uploads = await list(user, '?kind=upload');
    expect((uploads.body.data as FileBody[]).map((file) => file.id)).toEqual([c.id, b.id, a.id]);
    const outputs = await list(user, '?kind=output');
    expect((outputs.body.data as FileBody[]).map((file) => file.id)).toEqual([output]);

    // The file a cursor ends at may be deleted before the next page is asked for.
    expect((await remove(user, c.id)).status).toBe(204);
    const after = await list(user, `?limit=2&cursor=${page1.nextCursor}`);
    expect((after.body.data as FileBody[]).map((file) => file.id)).toEqual([b.id, a.id]);

    for (const query of ['?kind=thumbnail', '?cursor=not-a-cursor', `?cursor=${randomUUID()}`]) {
      const bad = await list(user, query);
      expect({ query, status: bad.status, code: bad.body.code }).toEqual({
        query,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
    }
  });

  it("shows no one else's files and lets no one else delete them (404), an admin's session included", async () => {
    const owner = await newUser(api, 'owner');
    const other = await newUser(api, 'other');
    const admin = await newAdmin(api);
    const mine = await uploaded(owner);
    const theirs = await uploaded(other);

    expect((await list(other)).body.data.map((file: FileBody) => file.id)).toEqual([theirs.id]);
    expect((await list(admin)).body.data).toEqual([]);
    for (const caller of [other, admin]) {
      const res = await remove(caller, mine.id);
      expect({ status: res.status, code: res.body.code }).toEqual({
        status: 404,
        code: 'RESOURCE_NOT_FOUND',
      });
    }
    for (const id of [randomUUID(), 'not-a-uuid'])
      expect((await remove(owner, id)).status).toBe(404);
    expect((await list(owner)).body.data.map((file: FileBody) => file.id)).toEqual([mine.id]);
    expect(await stored(await keyOf(mine.id))).toBe(true);
  });

  it('frees quota: an upload refused at the quota is accepted once a file is deleted', async () => {
    const user = await newUser(api);
    const image = await bulky();
    const first = await uploaded(user, image);
    expect(first.bytes).toBeGreaterThan(QUOTA / 2);
    expect(await usage(user)).toEqual({ usedBytes: first.bytes, quotaBytes: QUOTA });

    const refused = await upload(api, user, image);
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { used: first.bytes, quota: QUOTA },
    });

    expect((await remove(user, first.id)).status).toBe(204);
    expect(await usage(user)).toEqual({ usedBytes: 0, quotaBytes: QUOTA });
    const accepted = await upload(api, user, image);
    expect(accepted.status).toBe(201);
    expect(await usage(user)).toEqual({ usedBytes: accepted.body.bytes, quotaBytes: QUOTA });
  });

  it('holds the quota against concurrent uploads: of four that each fit alone, one is stored, and the refused leave no bytes', async () => {
    const user = await newUser(api);
    const images = await Promise.all([bulky(), bulky(), bulky(), bulky()]);
    const before = new Set(await readdir(join(storageDir, user.id)).catch(() => []));
    const results = await Promise.all(images.map((image) => upload(api, user, image)));
    expect(results.map((res) => res.status).sort()).toEqual([201, 413, 413, 413]);
    const { usedBytes } = await usage(user);
    expect(usedBytes).toBeLessThanOrEqual(QUOTA);
    const stored = results.find((res) => res.status === 201)?.body as FileBody;
    expect(usedBytes).toBe(stored.bytes);
    // The user's storage holds the one stored file's bytes, none of the refused ones'.
    const after = (await readdir(join(storageDir, user.id))).filter((name) => !before.has(name));
    expect(after).toEqual([(await keyOf(stored.id)).split('/')[1]]);
  });

  it('refuses to delete the input of a queued job or batch item (409 FILE_IN_USE), and deletes it once they end', async () => {
    const user = await newUser(api);
    await fund(api, user, 10);
    const forJob = await uploaded(user);
    const forBatch = await uploaded(user);
    // No worker runs: both stay queued.
    const job = await submit(api, user, {
      operation: 'remove-background',
      params: { inputImageId: forJob.id },
    });
    expect(job.status).toBe(202);
    const batch = await api
      .http()
      .post('/v1/batches')
      .set(...as(user))
      .send({ name: 'rings', operation: 'upscale', params: {}, inputImageIds: [forBatch.id] });
    expect(batch.status).toBe(201);
    const [item] = (await api.db.query(`SELECT id FROM ai_jobs WHERE batch_id = $1`, [
      batch.body.id,
    ])) as Array<{ id: string }>;

    for (const [file, jobId] of [
      [forJob.id, job.body.id as string],
      [forBatch.id, item?.id ?? ''],
    ] as const) {
      const refused = await remove(user, file);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        code: 'CONFLICT',
        details: { reason: 'FILE_IN_USE', jobIds: [jobId] },
      });
    }
    // Nothing was deleted: the rows, the bytes and the quota are as they were.
    expect((await list(user)).body.data).toHaveLength(2);
    expect(await stored(await keyOf(forJob.id))).toBe(true);

    expect(await cancel(user, `/v1/ai/jobs/${job.body.id}`)).toBe(200);
    expect(await cancel(user, `/v1/batches/${batch.body.id}`)).toBe(200);
    expect((await remove(user, forJob.id)).status).toBe(204);
    expect((await remove(user, forBatch.id)).status).toBe(204);
    await expectLedgerClean(api);
  });

  it('never lets a job be created with an image being deleted: each pair ends as one or the other', async () => {
    const user = await newUser(api);
    await fund(api, user, 10);
    const files = await Promise.all(Array.from({ length: 10 }, () => uploaded(user)));
    const outcomes = await Promise.all(
      files.map(async (file) => {
        const [job, deleted] = await Promise.all([
          submit(api, user, {
            operation: 'remove-background',
            params: { inputImageId: file.id },
          }),
          remove(user, file.id),
        ]);
        return { job, outcome: `${job.status}/${deleted.status}` };
      }),
    );
    // A job (202) keeps its image (409); a deleted image (204) has no job (400).
    expect(
      outcomes
        .map(({ outcome }) => outcome)
        .filter((outcome) => !['202/409', '400/204'].includes(outcome)),
    ).toEqual([]);
    const orphaned = (await api.db.query(
      `SELECT j.id FROM ai_jobs j LEFT JOIN files f ON f.id = (j.params->>'inputImageId')::uuid
        WHERE j.user_id = $1 AND f.id IS NULL`,
      [user.id],
    )) as unknown[];
    expect(orphaned).toEqual([]);
    for (const { job } of outcomes.filter(({ job }) => job.status === 202))
      expect(await cancel(user, `/v1/ai/jobs/${job.body.id}`)).toBe(200);
    await expectLedgerClean(api);
  });

  it("keeps a finished job's view whole once its output is deleted, and its credits as they were", async () => {
    const user = await newUser(api);
    const input = await uploaded(user);
    const { jobId, output } = await succeededJob(user, input.id);
    const balance = async () =>
      (
        await api
          .http()
          .get('/v1/credits/balance')
          .set(...as(user))
      ).body as unknown;
    const before = await balance();
    const outputKey = await keyOf(output);

    expect((await remove(user, output)).status).toBe(204);
    // The input too, now that its job has ended.
    expect((await remove(user, input.id)).status).toBe(204);

    const one = await api
      .http()
      .get(`/v1/ai/jobs/${jobId}`)
      .set(...as(user));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: jobId, status: 'succeeded', cost: 1, outputs: [] });
    const page = await api
      .http()
      .get('/v1/ai/jobs')
      .set(...as(user));
    expect(page.status).toBe(200);
    expect(page.body.data).toEqual([expect.objectContaining({ id: jobId, outputs: [] })]);
    expect(await balance()).toEqual(before);
    const [hold] = (await api.db.query(
      `SELECT h.status FROM credit_holds h JOIN ai_jobs j ON j.hold_id = h.id WHERE j.id = $1`,
      [jobId],
    )) as Array<{ status: string }>;
    expect(hold?.status).toBe('posted');
    expect(await stored(outputKey)).toBe(false);
    expect((await list(user)).body.data).toEqual([]);
    await expectLedgerClean(api);
  });

  it("stops serving a deleted file's signed URL; a second DELETE is 404", async () => {
    const user = await newUser(api);
    const file = await uploaded(user);
    const key = await keyOf(file.id);
    expect((await fetchSigned(file.url)).status).toBe(200);

    expect((await remove(user, file.id)).status).toBe(204);
    const gone = await fetchSigned(file.url);
    expect({ status: gone.status, code: gone.body.code }).toEqual({
      status: 404,
      code: 'RESOURCE_NOT_FOUND',
    });
    expect(
      (
        await api
          .http()
          .get(`/v1/files/${file.id}`)
          .set(...as(user))
      ).status,
    ).toBe(404);
    expect(await stored(key)).toBe(false);
    const again = await remove(user, file.id);
    expect({ status: again.status, code: again.body.code }).toEqual({
      status: 404,
      code: 'RESOURCE_NOT_FOUND',
    });
  });

  it('deletes the file even when the store fails to delete its bytes, which the orphan sweep then removes', async () => {
    const user = await newUser(api);
    const file = await uploaded(user);
    const key = await keyOf(file.id);
    const spy = jest
      .spyOn(storage(), 'delete')
      .mockRejectedValueOnce(new Error('the store did not answer'));
    try {
      expect((await remove(user, file.id)).status).toBe(204);
    } finally {
      spy.mockRestore();
    }
    expect(await keyOf(file.id)).toBe('');
    expect((await fetchSigned(file.url)).status).toBe(404);
    expect((await usage(user)).usedBytes).toBe(0);
    expect(await stored(key)).toBe(true);

    // A day later the sweep finds bytes no row points at, and deletes them.
    await utimes(join(storageDir, key), TWO_DAYS_AGO, TWO_DAYS_AGO);
    const report = await new OrphanFiles(api.db, storage()).sweep();
    expect(report.deleted).toBe(1);
    expect(await stored(key)).toBe(false);
  });

  it('an upload whose Idempotency-Key named a file since deleted answers 404, not another copy', async () => {
    const user = await newUser(api);
    const png = await smallPng();
    const send = () =>
      api
        .http()
        .post('/v1/uploads')
        .set(...as(user))
        .set('Idempotency-Key', 'ring-1')
        .attach('file', png, 'ring.png');
    const first = await send();
    expect(first.status).toBe(201);
    expect((await remove(user, first.body.id)).status).toBe(204);
    const replay = await send();
    expect({ status: replay.status, code: replay.body.code }).toEqual({
      status: 404,
      code: 'RESOURCE_NOT_FOUND',
    });
    expect((await list(user)).body.data).toEqual([]);
  });

  it("an admin's retry of a failed job whose input was deleted is refused, and holds nothing", async () => {
    const user = await newUser(api);
    const admin = await newAdmin(api);
    await fund(api, user, 2);
    const input = await uploaded(user);
    const job = await submit(api, user, {
      operation: 'remove-background',
      params: { inputImageId: input.id },
    });
    await startWorker({ LOCAL_PROVIDER_FAILURE_RATE: '1', JOB_ATTEMPTS: '1' });
    const [row] = await waitTerminal(api, [job.body.id as string]);
    expect(row?.status).toBe('failed');
    expect((await remove(user, input.id)).status).toBe(204);

    const retry = await api
      .http()
      .post(`/v1/admin/jobs/${job.body.id}/retry`)
      .set(...as(admin))
      .send({ payer: 'user', reason: 'provider outage' });
    expect(retry.status).toBe(400);
    expect(retry.body.details).toEqual([expect.objectContaining({ field: 'params.inputImageId' })]);
    const jobs = (await api.db.query(`SELECT id FROM ai_jobs WHERE user_id = $1`, [
      user.id,
    ])) as unknown[];
    expect(jobs).toHaveLength(1);
    await expectLedgerClean(api);
  });

  // Past the API's refusal to delete a file in use: its row removed by hand, or its bytes lost
  // from the store (a restore without them) with the row left standing.
  it.each([
    ['its row deleted', 'row'],
    ['its bytes deleted, its row standing: its link answers 404', 'bytes'],
  ] as const)(
    'fails a job whose input image was lost (%s) as INVALID_INPUT, refunded, with no retry',
    async (_, lost) => {
      const user = await newUser(api);
      await fund(api, user, 1);
      const input = await uploaded(user);
      const job = await submit(api, user, {
        operation: 'remove-background',
        params: { inputImageId: input.id },
      });
      expect(job.status).toBe(202);
      if (lost === 'row') {
        await api.db.query(`DELETE FROM files WHERE id = $1`, [input.id]);
      } else {
        await storage().delete(await keyOf(input.id));
        const link = await fetchSigned(input.url);
        expect({ status: link.status, code: link.body.code }).toEqual({
          status: 404,
          code: 'RESOURCE_NOT_FOUND',
        });
      }
      await startWorker({ JOB_ATTEMPTS: '3' });
      const [row] = await waitTerminal(api, [job.body.id as string]);
      expect(row).toMatchObject({ status: 'failed', hold_status: 'voided', attempts: 1 });
      const view = await api
        .http()
        .get(`/v1/ai/jobs/${job.body.id}`)
        .set(...as(user));
      expect(view.body.error).toEqual({
        code: 'INVALID_INPUT',
        message: 'The input image no longer exists',
      });
      await expectLedgerClean(api);
    },
  );

  it('API keys: reading files takes jobs:read, deleting them files:write', async () => {
    const user = await newUser(api);
    const file = await uploaded(user);
    const reader = await newApiKey(api, user, ['jobs:read']);
    const writer = await newApiKey(api, user, ['files:write']);
    const withKey = (key: string): [string, string] => ['Authorization', `Bearer ${key}`];

    const listed = await api
      .http()
      .get('/v1/files')
      .set(...withKey(reader));
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((f: FileBody) => f.id)).toEqual([file.id]);
    expect(
      (
        await api
          .http()
          .get('/v1/files/usage')
          .set(...withKey(reader))
      ).body,
    ).toEqual({ usedBytes: file.bytes, quotaBytes: QUOTA });

    const refused = [
      await api
        .http()
        .delete(`/v1/files/${file.id}`)
        .set(...withKey(reader)),
      await api
        .http()
        .get('/v1/files')
        .set(...withKey(writer)),
      await api
        .http()
        .get('/v1/files/usage')
        .set(...withKey(writer)),
    ];
    expect(refused.map((res) => [res.status, res.body.code, res.body.details?.scope])).toEqual([
      [403, 'INSUFFICIENT_SCOPE', 'files:write'],
      [403, 'INSUFFICIENT_SCOPE', 'jobs:read'],
      [403, 'INSUFFICIENT_SCOPE', 'jobs:read'],
    ]);
    expect(await keyOf(file.id)).not.toBe('');

    expect(
      (
        await api
          .http()
          .delete(`/v1/files/${file.id}`)
          .set(...withKey(writer))
      ).status,
    ).toBe(204);
    expect(await keyOf(file.id)).toBe('');
  });
});
