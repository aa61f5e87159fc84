/**
 * Applies pending migrations. Outside production it first creates the database named in
 * DATABASE_URL if it does not exist yet, so a fresh machine needs nothing but a running server.
 */
import { Client } from 'pg';
import { preflightOrExit } from '@jewelshot/platform';
import { commandArgsOrExit } from './cli-args';
import { loadCliConfigOrExit } from './cli.config';
import { migrationDataSource } from '../../../migrations/data-source';

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name}"`);
      process.stdout.write(`Created database ${name}\n`);
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  commandArgsOrExit('migrate', 'npm run migrate', {});
  const config = loadCliConfigOrExit();
  // Outside production, a database that does not exist yet is made here.
  const creates = config.NODE_ENV !== 'production';
  await preflightOrExit(config, { redis: false, databaseMayBeMissing: creates });
  if (creates) await ensureDatabase(config.DATABASE_URL);
  const dataSource = await migrationDataSource(config.DATABASE_URL).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    process.stdout.write(
      applied.length === 0
        ? 'Migrations: up to date\n'
        : `Migrations applied: ${applied.map((m) => m.name).join(', ')}\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
