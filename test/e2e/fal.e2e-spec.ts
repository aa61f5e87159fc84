import { FalProvider, ProviderError, Reconciler, type ProviderHooks } from '@jewelshot/ai-jobs';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { aiQueue, expectLedgerClean, jobRows, submit, waitTerminal } from '../support/ai';
import { bearer, newUser, type TestUser } from '../support/factories';
import { FakeFal } from '../support/fake-fal';
import { baseTestEnv, suitePrefix } from '../support/test-env';

const KEY = 'test-fal-key-123';
const MODELS = {
  generate: 'fal-ai/flux/dev',
  edit: 'fal-ai/flux/dev/image-to-image',
  'remove-background': 'fal-ai/birefnet',
  upscale: 'fal-ai/clarity-upscaler',
};

describe('fal provider (the real @fal-ai/client against a local fake of its queue API)', () => {
  const fake = new FakeFal(KEY);

  beforeAll(async () => {
    await fake.start();
  });

  afterAll(async () => {
    await fake.stop();
  });

  const provider = (timeoutMs = 5000) =>
    new FalProvider({
      key: KEY,
      models: MODELS,
      pollIntervalMs: 20,
      timeoutMs,
      queueBaseUrl: fake.url,
    });
  const hooks = (
    resumeRequestId: string | null = null,
  ): ProviderHooks & { submitted: string[] } => {
    const submitted: string[] = [];
    return { resumeRequestId, submitted, onSubmitted: async (id) => void submitted.push(id) };
  };
  const generate = (prompt: string) => ({
    jobId: 'j',
    operation: 'generate' as const,
    params: { prompt, numImages: 1, aspectRatio: '1:1' },
  });

  it('submits, polls, fetches the result and downloads the image', async () => {
    const h = hooks();
    const images = await provider().run(generate('gold ring'), new AbortController().signal, h);
    expect(images).toHaveLength(1);
    expect(images[0]?.data.subarray(1, 4).toString()).toBe('PNG');
    expect(h.submitted).toHaveLength(1);
    const request = fake.requests.get(h.submitted[0] ?? '');
    expect(request).toMatchObject({
      endpoint: 'fal-ai/flux/dev',
      input: { prompt: 'gold ring', num_images: 1, image_size: 'square_hd' },
    });
    expect(fake.unauthorized).toEqual([]);
  });

  it('turns a model failure into a retryable error that leaks nothing of the provider', async () => {
    const error = await provider()
      .run(generate('please fail'), new AbortController().signal, hooks())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    expect((error as Error).message).not.toMatch(/CUDA|opt\/model/);
    const rejected = await provider()
      .run(generate('please reject'), new AbortController().signal, hooks())
      .catch((e: unknown) => e);
    expect(rejected).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
  });

  it('times out a slow request and cancels it at the provider', async () => {
    const h = hooks();
    const started = Date.now();
    const error = await provider(400)
      .run(generate('very slow ring'), new AbortController().signal, h)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_TIMEOUT', retryable: true });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(fake.requests.get(h.submitted[0] ?? '')?.canceled).toBe(true);
  });

  it('resumes a request submitted before a crash instead of paying for a second one', async () => {
    const first = hooks();
    await provider().run(generate('resume ring'), new AbortController().signal, first);
    const submitsBefore = fake.submits.length;
    const resumed = hooks(first.submitted[0] ?? null);
    const images = await provider().run(
      generate('resume ring'),
      new AbortController().signal,
      resumed,
    );
    expect(images).toHaveLength(1);
    expect(fake.submits.length).toBe(submitsBefore);
    expect(resumed.submitted).toEqual([]);
  });

  describe('through the worker', () => {
    let api: TestApi;
    let worker: WorkerApp | undefined;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      env = {
        REDIS_KEY_PREFIX: suitePrefix('fal'),
        SIGNUP_CREDITS: '5',
        AI_PROVIDER: 'fal',
        FAL_KEY: KEY,
        FAL_QUEUE_BASE_URL: fake.url,
        FAL_POLL_INTERVAL_MS: '50',
        JOB_ATTEMPTS: '2',
        // Shorter than the running deadline (15 min), as in production, so that the reconciler
        // requeues a running job it finds without a queue job rather than failing it.
        RECONCILE_GRACE_MS: '60000',
      };
      api = await startApi(env);
      worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
    });

    afterAll(async () => {
      await worker?.close();
      await api?.close();
    });

    it('runs a job on fal, saves its request id, stores the output and charges once', async () => {
      const user = await newUser(api);
      const { body } = await submit(api, user, {
        operation: 'generate',
        params: { prompt: 'fal ring' },
      });
      const [row] = await waitTerminal(api, [body.id]);
      expect(row).toMatchObject({ status: 'succeeded', hold_status: 'posted' });
      const [job] = await api.db.query(
        'SELECT provider, provider_request_id FROM ai_jobs WHERE id = $1',
        [body.id],
      );
      expect(job.provider).toBe('fal');
      expect(fake.requests.has(job.provider_request_id)).toBe(true);
      const view = await api
        .http()
        .get(`/v1/ai/jobs/${body.id}`)
        .set(...bearer(user.accessToken));
      expect(view.body.outputs).toEqual([expect.objectContaining({ width: 96, height: 96 })]);
    });

    it('delivers and charges exactly the images asked for: fewer is a failure refunded, more are dropped', async () => {
      const user = await newUser(api);
      const short = await submit(api, user, {
        operation: 'generate',
        params: { prompt: 'ring images=1', numImages: 3 },
      });
      const extra = await submit(api, user, {
        operation: 'generate',
        params: { prompt: 'ring images=4', numImages: 1 },
      });
      const rows = await waitTerminal(api, [short.body.id, extra.body.id]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      // The answer came back two images short: never charged 3 for 1, and refunded at once (a
      // retry would resume the same request and fetch the same answer).
      expect(byId.get(short.body.id)).toMatchObject({
        status: 'failed',
        hold_status: 'voided',
        attempts: 1,
      });
      const [{ provider_request_id: requestId }] = await api.db.query(
        'SELECT provider_request_id FROM ai_jobs WHERE id = $1',
        [short.body.id],
      );
      // One request made at the provider, asking for the three.
      expect(fake.submits.filter((request) => request.input.prompt === 'ring images=1')).toEqual([
        expect.objectContaining({
          id: requestId,
          input: expect.objectContaining({ num_images: 3 }),
        }),
      ]);
      const failed = await api
        .http()
        .get(`/v1/ai/jobs/${short.body.id}`)
        .set(...bearer(user.accessToken));
      expect(failed.body.error).toMatchObject({ code: 'PROVIDER_ERROR' });
      expect(failed.body.outputs).toEqual([]);
      // Four came back for one paid: one delivered, one charged.
      expect(byId.get(extra.body.id)).toMatchObject({ status: 'succeeded', hold_status: 'posted' });
      const done = await api
        .http()
        .get(`/v1/ai/jobs/${extra.body.id}`)
        .set(...bearer(user.accessToken));
      expect(done.body.outputs).toHaveLength(1);
      const [{ n }] = await api.db.query('SELECT count(*)::int AS n FROM files WHERE job_id = $1', [
        extra.body.id,
      ]);
      expect(n).toBe(1);
      expect(done.body.cost).toBe(1);
      await expectLedgerClean(api);
    });

    it('fails a job the model keeps failing, refunds it, and shows only our own error', async () => {
      const user = await newUser(api);
      const { body } = await submit(api, user, {
        operation: 'generate',
        params: { prompt: 'will fail' },
      });
      const [row] = await waitTerminal(api, [body.id]);
      expect(row).toMatchObject({ status: 'failed', hold_status: 'voided', attempts: 2 });
      const view = await api
        .http()
        .get(`/v1/ai/jobs/${body.id}`)
        .set(...bearer(user.accessToken));
      expect(view.body.error).toEqual({
        code: 'PROVIDER_ERROR',
        message: 'The model provider failed to process the request',
      });
      expect(JSON.stringify(view.body)).not.toMatch(/CUDA|opt\/model/);
      await expectLedgerClean(api);
    });

    /**
     * Submits a job for `prompt` while a trigger makes its row's UPDATEs that match `when` fail
     * with `raise`, until BullMQ has given the job up; the trigger is gone after. The job's id.
     */
    async function submitWhileRefused(
      user: TestUser,
      prompt: string,
      when: string,
      raise: string,
    ): Promise<string> {
      const name = `test_refused_${Date.now()}`;
      await api.db.query(
        `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NEW.params->>'prompt' = '${prompt}' AND (${when}) THEN ${raise}; END IF;
             RETURN NEW;
           END $$`,
      );
      await api.db.query(
        `CREATE TRIGGER ${name} BEFORE UPDATE ON ai_jobs FOR EACH ROW EXECUTE FUNCTION ${name}()`,
      );
      try {
        const { id } = (await submit(api, user, { operation: 'generate', params: { prompt } }))
          .body as { id: string };
        const queue = aiQueue(api);
        const until = Date.now() + 20_000;
        while ((await (await queue.getJob(id))?.getState()) !== 'failed') {
          if (Date.now() > until) throw new Error('BullMQ never gave the job up');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return id;
      } finally {
        await api.db.query(`DROP TRIGGER IF EXISTS ${name} ON ai_jobs`);
        await api.db.query(`DROP FUNCTION IF EXISTS ${name}()`);
      }
    }
    /** The reconciler's next run, once the job's grace has passed. */
    const reconcileLater = async (id: string) => {
      await api.db.query(
        `UPDATE ai_jobs SET updated_at = now() - interval '2 minutes' WHERE id = $1`,
        [id],
      );
      await worker?.context.get(Reconciler).reconcile();
    };

    it('keeps a job whose queue attempts an outage used up, and resumes its paid fal request once the database answers', async () => {
      const user = await newUser(api);
      const prompt = 'outage ring';
      // The outage as the worker meets it: the settle after fal answered fails, and so does
      // every later claim (the database shutting down) until BullMQ has no attempts left.
      const id = await submitWhileRefused(
        user,
        prompt,
        `NEW.status = 'succeeded' OR NEW.attempts > 1`,
        `RAISE EXCEPTION 'the database is shutting down (the test)' USING ERRCODE = 'admin_shutdown'`,
      );
      // One claim took of the two the row allows: the job is not failed, but left to the
      // reconciler, which finds it with no live queue job and requeues it.
      await reconcileLater(id);
      const [row] = await waitTerminal(api, [id], 30_000);
      expect(row).toMatchObject({ status: 'succeeded', hold_status: 'posted', attempts: 2 });
      // fal was asked once: the second claim fetched the answer already paid for.
      expect(fake.submits.filter((request) => request.input.prompt === prompt)).toHaveLength(1);
      const view = await api
        .http()
        .get(`/v1/ai/jobs/${id}`)
        .set(...bearer(user.accessToken));
      expect(view.body.outputs).toHaveLength(1);
      await expectLedgerClean(api);
    });

    it('fails and refunds at once a job whose every claim crashes for another reason than an outage, rather than requeueing it forever', async () => {
      const user = await newUser(api);
      const prompt = 'never claimed ring';
      const id = await submitWhileRefused(
        user,
        prompt,
        'NEW.attempts > OLD.attempts',
        `RAISE EXCEPTION 'a bug in the claim (the test)'`,
      );
      const [row] = await waitTerminal(api, [id], 10_000);
      expect(row).toMatchObject({ status: 'failed', hold_status: 'voided', attempts: 0 });
      await reconcileLater(id);
      expect((await jobRows(api, [id]))[0]?.status).toBe('failed');
      expect(fake.submits.filter((request) => request.input.prompt === prompt)).toEqual([]);
      await expectLedgerClean(api);
    });

    it('resumes the fal request a crashed attempt left behind', async () => {
      const user = await newUser(api);
      // What a worker killed after submitting leaves: the job row names fal's request.
      const earlier = hooks();
      await provider().run(generate('crash-resume ring'), new AbortController().signal, earlier);
      const submitsBefore = fake.submits.length;
      await worker?.close();
      const { body } = await submit(api, user, {
        operation: 'generate',
        params: { prompt: 'crash-resume ring' },
      });
      await api.db.query(
        `UPDATE ai_jobs SET provider_request_id = $2, attempts = 1 WHERE id = $1`,
        [body.id, earlier.submitted[0]],
      );
      worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
      const [row] = await waitTerminal(api, [body.id]);
      expect(row?.status).toBe('succeeded');
      expect(fake.submits.length).toBe(submitsBefore);
      expect((await jobRows(api, [body.id]))[0]?.hold_status).toBe('posted');
    });
  });
});
