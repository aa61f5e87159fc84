import { rm } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { databaseUrl, TEST_REDIS_URL } from './test-env';

/** Drops the run's database and deletes every Redis key under its prefix. */
export default async function globalTeardown(): Promise<void> {
  const name = process.env.JEWELSHOT_TEST_DATABASE;
  const prefix = process.env.JEWELSHOT_TEST_REDIS_PREFIX;
  if (name && process.env.KEEP_TEST_DATABASE !== '1') {
    const admin = new Client({ connectionString: databaseUrl('postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
  const storage = process.env.JEWELSHOT_TEST_STORAGE_DIR;
  if (storage) await rm(storage, { recursive: true, force: true });
  if (prefix) {
    const redis = new Redis(TEST_REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
}
