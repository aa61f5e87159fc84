import { Client } from 'pg';
import { migrationDataSource } from '../../migrations/data-source';
import { databaseUrl, newRunId } from './test-env';

export interface SuiteDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * A migrated database of a suite's own, on the test server. For suites that break what the
 * others rely on (the audit chain, the price list), and for suites whose worker must see only
 * their own domain events: a worker's dispatcher takes every undispatched event of its
 * database, so on the run's shared database another suite's worker would send this suite's mail
 * (to its own outbox) and this one would wait for it forever.
 */
export async function suiteDatabase(label: string): Promise<SuiteDatabase> {
  const name = `jewelshot_test_${label.replace(/\W/g, '_')}_${newRunId()}`;
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
