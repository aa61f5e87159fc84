// Jest's moduleNameMapper does not apply to global setup: resolve @jewelshot/* from tsconfig.
import 'tsconfig-paths/register';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrationDataSource } from '../../migrations/data-source';
import { databaseUrl, newRunId, TEST_PG_SERVER } from './test-env';

/** One throwaway database and one Redis key prefix for the whole run. */
export default async function globalSetup(): Promise<void> {
  const runId = newRunId();
  const name = `jewelshot_test_${runId}`;
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`The tests need PostgreSQL at ${TEST_PG_SERVER}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();

  const url = databaseUrl(name);
  const dataSource = await migrationDataSource(url).initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();

  process.env.JEWELSHOT_TEST_DATABASE = name;
  process.env.JEWELSHOT_TEST_DATABASE_URL = url;
  process.env.JEWELSHOT_TEST_REDIS_PREFIX = `test:${runId}:`;
  process.env.JEWELSHOT_TEST_STORAGE_DIR = join(tmpdir(), `jewelshot-test-${runId}`);
}
