import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Client } from 'pg';
import { Queue } from 'bullmq';
import S3rver from 's3rver';
import { BACKUP_QUEUE, type BackupManifest } from '@jewelshot/backup';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import {
  dropDatabase,
  runCli,
  scratchDatabase,
  seedLedgerAndJobs,
  type SeedResult,
} from '../support/backup-seed';
import { loadConfig } from '../support/config';
import {
  baseTestEnv,
  databaseUrl,
  newRunId,
  suitePrefix,
  TEST_REDIS_URL,
} from '../support/test-env';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const BUCKET = 'jewelshot-backups';
const PREFIX = 'drill/backups';

async function count(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.all_users', 'on', true)`);
    const { rows } = await client.query<{ n: string }>(sql, params);
    await client.query('COMMIT');
    return Number(rows[0]?.n ?? Number.NaN);
  } finally {
    await client.end();
  }
}

async function databaseExists(url: string): Promise<boolean> {
  return (
    (await count(
      databaseUrl('postgres'),
      'SELECT count(*) AS n FROM pg_database WHERE datname = $1',
      [new URL(url).pathname.slice(1)],
    )) > 0
  );
}

/**
 * Backups to S3 (BACKUP_TARGET=s3) against a local s3rver: `npm run backup` uploads the dump
 * (in parts when big) and the manifest last and prints the s3:// URL; `npm run restore --from
 * s3://…` downloads, checks the SHA-256 and verifies; a corrupted object is refused before
 * anything is restored; retention prunes the bucket.
 */
describe('backups in S3 (against a local s3rver)', () => {
  const databases: string[] = [];
  let server: S3rver;
  let s3Dir: string;
  let stagingDir: string;
  let s3: S3Client;
  let source: { name: string; url: string };
  let seeded: SeedResult;
  let env: NodeJS.ProcessEnv;
  let url: string;
  const created: string[] = [];

  beforeAll(async () => {
    s3Dir = mkdtempSync(join(tmpdir(), 'jewelshot-s3-backups-'));
    stagingDir = mkdtempSync(join(tmpdir(), 'jewelshot-backup-staging-'));
    server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      directory: s3Dir,
      silent: true,
      resetOnClose: true,
      configureBuckets: [{ name: BUCKET }],
    });
    server.on('event', (event) => {
      for (const record of event.Records)
        created.push(`${record.eventName} ${record.s3.object.key}`);
    });
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });

    source = await scratchDatabase('s3backup_src');
    databases.push(source.name);
    seeded = await seedLedgerAndJobs(source.url, { users: 20, grantsPerUser: 100, activeUsers: 2 });
    // Incompressible bytes, so the dump (≈ 12 MB) goes up in more than one 8 MB part.
    const client = new Client({ connectionString: source.url });
    await client.connect();
    await client.query(`CREATE TABLE drill_blobs (id int PRIMARY KEY, payload bytea NOT NULL)`);
    await client.query(
      `INSERT INTO drill_blobs
       SELECT g, (SELECT decode(string_agg(md5(random()::text || g || i), ''), 'hex')
                    FROM generate_series(1, 2048) i)
         FROM generate_series(1, 400) g`,
    );
    await client.end();

    env = {
      ...baseTestEnv(),
      DATABASE_URL: source.url,
      BACKUP_DIR: stagingDir,
      BACKUP_TARGET: 's3',
      BACKUP_S3_BUCKET: BUCKET,
      BACKUP_S3_PREFIX: PREFIX,
      S3_REGION: 'us-east-1',
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      LOG_LEVEL: 'error',
      // The SDK warns on stderr that its 2027 releases need Node 22; this stack is on Node 20.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const backup = await runCli('backup.ts', [], env);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    url = backup.stdout.trim().split('\n').pop() ?? '';
  }, 180_000);

  afterAll(async () => {
    s3?.destroy();
    await server?.close();
    for (const name of databases) await dropDatabase(name);
    rmSync(s3Dir, { recursive: true, force: true });
    rmSync(stagingDir, { recursive: true, force: true });
  });

  function newTarget(label: string): string {
    const name = `jewelshot_${label}_${newRunId()}`;
    databases.push(name);
    return databaseUrl(name);
  }

  async function keys(prefix = `${PREFIX}/`): Promise<string[]> {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (page.Contents ?? []).map((object) => object.Key ?? '').sort();
  }

  async function object(key: string): Promise<Buffer> {
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(
      await (got.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())),
    );
  }

  function put(key: string, body: Buffer | string) {
    return s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }

  it('uploads the dump in parts, then the manifest, prints the s3:// URL and keeps no local copy', async () => {
    expect(url).toMatch(new RegExp(`^s3://${BUCKET}/${PREFIX}/\\d{8}T\\d{9}Z$`));
    const key = url.slice(`s3://${BUCKET}/`.length);
    expect(await keys(`${key}/`)).toEqual([`${key}/backup.json`, `${key}/db.dump`]);
    // CompleteMultipartUpload is s3rver's "Post"; the manifest is a plain PUT, and comes last.
    const ours = created.filter((line) => line.includes(key));
    expect(ours).toEqual([
      `ObjectCreated:Post ${key}/db.dump`,
      `ObjectCreated:Put ${key}/backup.json`,
    ]);
    const manifest = JSON.parse((await object(`${key}/backup.json`)).toString()) as BackupManifest;
    const dump = await object(`${key}/db.dump`);
    expect(dump.length).toBe(manifest.dump.bytes);
    expect(dump.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(manifest.sections.ledgerTotals).toMatchObject({ entries: seeded.entries });
    expect(readdirSync(stagingDir)).toEqual([]);
  });

  it('restores from the s3:// URL into a new database and verifies it', async () => {
    const target = newTarget('s3_restored');
    const restore = await runCli('restore.ts', ['--from', url, '--to', target], env);
    expect(restore.stderr).toBe('');
    expect(restore.stdout).toMatch(/download from S3: \d+ ms/);
    expect(restore.stdout).toMatch(/check sha-256: \d+ ms/);
    expect(restore.stdout).toMatch(/ledger:verify: \d+ ms/);
    expect(restore.stdout).toContain('Restore verified: manifest matches, checks clean.');
    expect(restore.code).toBe(0);
    expect(await count(target, 'SELECT count(*) AS n FROM credit_entries')).toBe(seeded.entries);
    expect(await count(target, 'SELECT count(*) AS n FROM drill_blobs')).toBe(400);
  }, 120_000);

  it('refuses a corrupted dump object before restoring anything', async () => {
    const key = url.slice(`s3://${BUCKET}/`.length);
    const copy = `${PREFIX}/corrupt-${newRunId()}`;
    const dump = await object(`${key}/db.dump`);
    dump[Math.floor(dump.length / 2)] = (dump[Math.floor(dump.length / 2)] ?? 0) ^ 0x01;
    await put(`${copy}/db.dump`, dump);
    await put(`${copy}/backup.json`, await object(`${key}/backup.json`));
    const target = newTarget('s3_corrupt');
    const restore = await runCli(
      'restore.ts',
      ['--from', `s3://${BUCKET}/${copy}`, '--to', target],
      env,
    );
    expect(restore.stderr).toContain(
      `restore refused: BACKUP_CORRUPT: s3://${BUCKET}/${copy}/db.dump is corrupt`,
    );
    expect(restore.stdout).not.toMatch(/pg_restore:/);
    expect(restore.code).toBe(2);
    expect(await databaseExists(target)).toBe(false);
  }, 60_000);

  it('refuses a backup whose manifest is missing (an upload that did not finish)', async () => {
    const key = url.slice(`s3://${BUCKET}/`.length);
    const copy = `${PREFIX}/unfinished-${newRunId()}`;
    await put(`${copy}/db.dump`, await object(`${key}/db.dump`));
    const target = newTarget('s3_unfinished');
    const restore = await runCli(
      'restore.ts',
      ['--from', `s3://${BUCKET}/${copy}`, '--to', target],
      env,
    );
    expect(restore.stderr).toContain(
      `restore refused: BACKUP_INCOMPLETE: s3://${BUCKET}/${copy} has no backup.json`,
    );
    expect(restore.code).toBe(2);
    expect(await databaseExists(target)).toBe(false);
  }, 60_000);

  it('applies the retention policy to the bucket', async () => {
    const prefix = `retention-${newRunId()}`;
    const fake = async (name: string, withManifest = true) => {
      await put(`${prefix}/${name}/db.dump`, 'old dump');
      if (withManifest) await put(`${prefix}/${name}/backup.json`, '{}');
    };
    // Monday 5 January 2026 (one ISO week, one day, one hour), and a week of December 2025.
    await fake('20260105T100000000Z');
    await fake('20260105T103000000Z');
    await fake('20251201T000000000Z');
    // An upload still under way (no manifest yet, young): not touched.
    await fake('20260105T110000000Z', false);
    const backup = await runCli('backup.ts', [], {
      ...env,
      BACKUP_S3_PREFIX: prefix,
      BACKUP_KEEP_HOURLY: '1',
      BACKUP_KEEP_DAILY: '1',
      BACKUP_KEEP_WEEKLY: '2',
    });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain('Retention deleted 2 backup(s)');
    const newest = (backup.stdout.trim().split('\n').pop() ?? '').slice(`s3://${BUCKET}/`.length);
    expect(newest.startsWith(`${prefix}/`)).toBe(true);
    // Kept: the new one (newest, its hour, day and week) and the newest of the week before.
    expect(await keys(`${prefix}/`)).toEqual(
      [
        `${newest}/backup.json`,
        `${newest}/db.dump`,
        `${prefix}/20260105T103000000Z/backup.json`,
        `${prefix}/20260105T103000000Z/db.dump`,
        `${prefix}/20260105T110000000Z/db.dump`,
      ].sort(),
    );
  }, 120_000);

  it("the worker's schedule uploads to S3 too", async () => {
    const prefix = `scheduled-${newRunId()}`;
    const redisPrefix = suitePrefix('backup-s3');
    const queue = new Queue(BACKUP_QUEUE, {
      connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null },
      prefix: `${redisPrefix}bull`,
    });
    let worker: WorkerApp | undefined;
    try {
      worker = await createWorker(
        loadConfig({
          ...env,
          REDIS_KEY_PREFIX: redisPrefix,
          BACKUP_S3_PREFIX: prefix,
          BACKUP_CRON: '*/2 * * * * *',
        }),
      );
      let folder: string | undefined;
      for (let i = 0; i < 600 && !folder; i += 1) {
        const [done] = await queue.getJobs(['completed']);
        folder = (done?.returnvalue as { folder?: string } | undefined)?.folder;
        if (!folder) await sleep(100);
      }
      expect(folder).toMatch(new RegExp(`^s3://${BUCKET}/${prefix}/\\d{8}T\\d{9}Z$`));
      const key = (folder ?? '').slice(`s3://${BUCKET}/`.length);
      expect(await keys(`${key}/`)).toEqual([`${key}/backup.json`, `${key}/db.dump`]);
    } finally {
      await worker?.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }, 120_000);
});
