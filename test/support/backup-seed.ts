import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { repoRoot } from '@jewelshot/platform';
import { migrationDataSource } from '../../migrations/data-source';
import { databaseUrl, newRunId } from './test-env';

export { seedLedgerAndJobs } from '../../bench/backup-seed';
export type { SeedResult } from '../../bench/backup-seed';

/** A database of the test's own on the shared server, migrated; dropped by `drop`. */
export async function scratchDatabase(label: string): Promise<{ name: string; url: string }> {
  const name = `jewelshot_${label}_${newRunId()}`;
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = databaseUrl(name);
  const dataSource = await migrationDataSource(url).initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  return { name, url };
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One of apps/cli's commands from its TypeScript source, in a process of its own. */
export function runCli(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const root = repoRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(root, 'test', 'support', 'register.js'),
        join(root, 'apps', 'cli', 'src', script),
        ...args,
      ],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
