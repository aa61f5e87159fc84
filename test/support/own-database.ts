import { Client } from 'pg';
import { migrationDataSource } from '../../migrations/data-source';
import { databaseUrl, newRunId } from './test-env';

export interface OwnDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * A migrated database of one suite's own on the run's server, for a suite that must break
 * what the others rely on (the audit chain) without them seeing it. Dropped by `drop`.
 */
export async function ownDatabase(label: string): Promise<OwnDatabase> {
  const name = `jewelshot_test_${label}_${newRunId()}`;
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = databaseUrl(name);
  const dataSource = await migrationDataSource(url).initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  return {
    url,
    drop: async () => {
      if (process.env.KEEP_TEST_DATABASE) return;
      const client = new Client({ connectionString: databaseUrl('postgres') });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}
