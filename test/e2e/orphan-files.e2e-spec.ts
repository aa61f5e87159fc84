import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import {
  FILE_STORAGE,
  OrphanFiles,
  S3Storage,
  StoredObjectNotFoundError,
  type FileStorage,
} from '@jewelshot/ai-jobs';
import { TransactionHost } from '@nestjs-cls/transactional';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { fund, submit, upload, waitTerminal } from '../support/ai';
import { bearer, newUser } from '../support/factories';
import { smallPng } from '../support/images';
import { baseTestEnv, suitePrefix } from '../support/test-env';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TWO_DAYS_AGO = new Date(Date.now() - 2 * 24 * 3600 * 1000);

async function exists(storage: FileStorage, key: string): Promise<boolean> {
  try {
    (await storage.get(key)).destroy();
    return true;
  } catch (error) {
    if (error instanceof StoredObjectNotFoundError) return false;
    throw error;
  }
}

describe("a paid job's outputs", () => {
  it('are kept when the settle commits but its answer is lost (the connection cut after the COMMIT)', async () => {
    const env = { REDIS_KEY_PREFIX: suitePrefix('lost-commit') };
    const api: TestApi = await startApi(env);
    let worker: WorkerApp | undefined;
    try {
      worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
      const txHost = worker.context.get(TransactionHost);
      const withTransaction = txHost.withTransaction.bind(txHost) as (
        ...args: unknown[]
      ) => Promise<unknown>;
      let cut = 0;
      // The settle's transaction is the one whose callback answers 'succeeded': it commits, then
      // its caller hears the connection drop instead of the COMMIT's reply.
      jest.spyOn(txHost, 'withTransaction').mockImplementation((async (...args: unknown[]) => {
        const result = await withTransaction(...args);
        if (result === 'succeeded' && cut === 0) {
          cut += 1;
          throw new Error('Connection terminated unexpectedly');
        }
        return result;
      }) as never);
      const user = await newUser(api);
      await fund(api, user, 2);
      const { body } = await submit(api, user, {
        operation: 'generate',
        params: { prompt: 'a ring whose settle answer is lost', numImages: 2 },
      });
      const [row] = await waitTerminal(api, [body.id]);
      expect(cut).toBe(1);
      expect(row).toMatchObject({ status: 'succeeded', hold_status: 'posted' });
      const files = (await api.db.query('SELECT id, storage_key FROM files WHERE job_id = $1', [
        body.id,
      ])) as Array<{ id: string; storage_key: string }>;
      expect(files).toHaveLength(2);
      const storage = api.app.get<FileStorage>(FILE_STORAGE);
      for (const file of files) expect(await exists(storage, file.storage_key)).toBe(true);
      const download = await api
        .http()
        .get(`/v1/files/${files[0]?.id}`)
        .set(...bearer(user.accessToken));
      expect(download.status).toBe(200);
    } finally {
      jest.restoreAllMocks();
      await worker?.close();
      await api.close();
    }
  });
});

describe('the orphan sweep', () => {
  it('deletes local files with no row once older than a day, from the worker schedule', async () => {
    // A storage directory of its own: its files are made two days old, and a worker of another
    // suite on a database of its own (where they have no rows) would sweep them from the run's.
    const storageDir = await mkdtemp(join(tmpdir(), 'jewelshot-orphans-'));
    const env = { REDIS_KEY_PREFIX: suitePrefix('orphans'), STORAGE_DIR: storageDir };
    const api: TestApi = await startApi(env);
    let worker: WorkerApp | undefined;
    try {
      const user = await newUser(api);
      const kept = await upload(api, user, await smallPng());
      expect(kept.status).toBe(201);
      const [{ storage_key: keptKey }] = await api.db.query(
        `SELECT storage_key FROM files WHERE id = $1`,
        [kept.body.id],
      );
      const storage = api.app.get<FileStorage>(FILE_STORAGE);
      const oldOrphan = `${user.id}/${randomUUID()}.png`;
      const leftover = `${user.id}/${randomUUID()}.png.${randomUUID()}.tmp`;
      const youngOrphan = `${user.id}/${randomUUID()}.png`;
      const foreign = `${user.id}/notes.txt`;
      for (const key of [oldOrphan, leftover, youngOrphan, foreign])
        await storage.put(key, Buffer.from('bytes'), 'image/png');
      // Old: the orphans, the real file, and something that is not ours.
      for (const key of [oldOrphan, leftover, keptKey, foreign])
        await utimes(join(api.config.STORAGE_DIR, key), TWO_DAYS_AGO, TWO_DAYS_AGO);

      worker = await createWorker(
        loadConfig({ ...baseTestEnv(), ...env, ORPHAN_SWEEP_INTERVAL_MS: '1000' }),
      );
      for (
        let i = 0;
        i < 200 &&
        (existsSync(join(api.config.STORAGE_DIR, oldOrphan)) ||
          existsSync(join(api.config.STORAGE_DIR, leftover)));
        i += 1
      ) {
        await sleep(50);
      }
      expect(await exists(storage, oldOrphan)).toBe(false);
      expect(await exists(storage, leftover)).toBe(false);
      expect(await exists(storage, youngOrphan)).toBe(true);
      expect(await exists(storage, keptKey)).toBe(true);
      expect(await exists(storage, foreign)).toBe(true);
    } finally {
      await worker?.close();
      await api.close();
      await rm(storageDir, { recursive: true, force: true });
    }
  });

  it('lists and sweeps an S3 bucket (s3rver) the same way', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'jewelshot-s3-orphans-'));
    const bucket = 'jewelshot-orphans';
    const server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      directory,
      silent: true,
      resetOnClose: true,
      configureBuckets: [{ name: bucket }],
    });
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const api = await startApi({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    });
    const storage = new S3Storage({
      bucket,
      region: 'us-east-1',
      endpoint,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
      timeoutMs: 5000,
    });
    try {
      const user = await newUser(api);
      const kept = await upload(api, user, await smallPng());
      expect(kept.status).toBe(201);
      const [{ storage_key: keptKey }] = await api.db.query(
        `SELECT storage_key FROM files WHERE id = $1`,
        [kept.body.id],
      );
      const orphans = [`${user.id}/${randomUUID()}.png`, `${user.id}/${randomUUID()}.webp`];
      for (const key of orphans) await storage.put(key, Buffer.from('bytes'), 'image/png');
      await storage.put('README', Buffer.from('not ours'), 'text/plain');

      const listed: string[] = [];
      for await (const object of storage.list()) {
        expect(object.lastModified).toBeInstanceOf(Date);
        listed.push(object.key);
      }
      expect(listed.sort()).toEqual([...orphans, keptKey, 'README'].sort());

      // s3rver cannot backdate an object: sweep with a cut-off in the future instead of a day ago.
      const report = await new OrphanFiles(api.db, storage).sweep(new Date(Date.now() + 60_000));
      expect(report).toEqual({ scanned: 4, deleted: 2 });
      for (const key of orphans) expect(await exists(storage, key)).toBe(false);
      expect(await exists(storage, keptKey)).toBe(true);
      expect(await exists(storage, 'README')).toBe(true);
      // With the real cut-off (a day ago) nothing that young is touched.
      await storage.put(orphans[0] ?? '', Buffer.from('bytes'), 'image/png');
      expect(await new OrphanFiles(api.db, storage).sweep()).toEqual({ scanned: 3, deleted: 0 });
    } finally {
      storage.destroy();
      await api.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
