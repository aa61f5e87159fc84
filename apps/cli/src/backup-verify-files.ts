/**
 * npm run backup:verify-files — checks every `files` row of the database (a restored one:
 * DATABASE_URL) against the storage (STORAGE_DRIVER, local or S3) and lists the missing
 * objects. Exits 1 when any is missing.
 */
import { Client } from 'pg';
import { storageFor } from '@jewelshot/ai-jobs';
import { preflightOrExit } from '@jewelshot/platform';
import { commandArgsOrExit } from './cli-args';
import { loadCliConfigOrExit } from './cli.config';

async function main(): Promise<void> {
  commandArgsOrExit('backup:verify-files', 'npm run backup:verify-files', {});
  const config = loadCliConfigOrExit();
  await preflightOrExit(config, { redis: false });
  const client = new Client({ connectionString: config.DATABASE_URL });
  await client.connect();
  let keys: string[];
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SELECT set_config('app.all_users', 'on', true)`);
    const { rows } = await client.query<{ key: string }>(
      'SELECT storage_key AS key FROM files ORDER BY storage_key',
    );
    await client.query('COMMIT');
    keys = rows.map((row) => row.key);
  } finally {
    await client.end();
  }
  const storage = storageFor(config);
  const stored = new Set<string>();
  for await (const object of storage.list()) stored.add(object.key);
  const missing = keys.filter((key) => !stored.has(key));
  process.stdout.write(
    `Checked ${keys.length} file row(s) against ${storage.driver} storage (${stored.size} object(s)).\n`,
  );
  for (const key of missing) process.stdout.write(`MISSING ${key}\n`);
  if (missing.length === 0) {
    process.stdout.write('Files OK: every row has its object.\n');
    return;
  }
  process.stdout.write(`${missing.length} missing object(s).\n`);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `backup:verify-files failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
});
