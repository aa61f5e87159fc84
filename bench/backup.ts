/**
 * npm run bench:backup — backup and restore time and size for 10k, 100k and 1M ledger entries
 * (BENCH_BACKUP_SIZES=10000,100000 for a shorter run), beside bare pg_dump/pg_restore of the same
 * database in the same run, then the growth from one size to the next (time ÷ entries ratio:
 * 1.0 is linear). Seeded in bulk SQL (generate_series), ledger:verify clean. Needs PostgreSQL at
 * DATABASE_URL's server (a scratch database per size is created and dropped). Prints figures;
 * asserts nothing.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { BACKUP_MANIFEST_SECTIONS, restoreBackup, takeBackup } from '@jewelshot/backup';
import { API_DB_ROLE, loadConfig } from '@jewelshot/platform';
import { migrationDataSource } from '../migrations/data-source';
import { migrateRestored, restoreChecks } from '../apps/cli/src/restore-checks';
import { seedLedgerAndJobs } from './backup-seed';
import { spawnSync } from 'node:child_process';

function dbUrl(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(server: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: dbUrl(server, 'postgres') });
  await client.connect();
  await client.query(sql);
  await client.end();
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, stdio: 'pipe' });
  if (result.status !== 0) throw new Error(`${command}: ${result.stderr.toString()}`);
  return performance.now() - started;
}

function pgEnvOf(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return {
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password) || undefined,
    PGDATABASE: u.pathname.slice(1),
  };
}

async function main(): Promise<void> {
  const server = loadConfig([]).DATABASE_URL;
  const sizes = (process.env.BENCH_BACKUP_SIZES ?? '10000,100000,1000000').split(',').map(Number);
  process.stdout.write(`bench:backup on ${cpus().length} CPU(s)\n`);
  process.stdout.write(
    'entries    jobs     backup s  dump MB  restore s (RTO)  bare pg_dump s  bare pg_restore s\n',
  );
  const rows: Array<{ entries: number; backupMs: number; restoreMs: number; bytes: number }> = [];
  for (const entries of sizes) {
    const run = `${Date.now().toString(36)}`;
    const source = `jewelshot_bench_src_${run}`;
    const target = `jewelshot_bench_dst_${run}`;
    const bare = `jewelshot_bench_bare_${run}`;
    const dir = mkdtempSync(join(tmpdir(), 'jewelshot-bench-backup-'));
    try {
      await admin(server, `CREATE DATABASE "${source}"`);
      const sourceUrl = dbUrl(server, source);
      const ds = await migrationDataSource(sourceUrl).initialize();
      await ds.runMigrations({ transaction: 'each' });
      await ds.destroy();
      const users = Math.max(1, Math.round(entries / 100));
      const seedStarted = performance.now();
      const seeded = await seedLedgerAndJobs(sourceUrl, {
        users,
        grantsPerUser: 100,
        activeUsers: Math.min(users, 10),
      });
      const jobs = Object.values(seeded.jobs).reduce((a, b) => a + b, 0);
      const seedMs = performance.now() - seedStarted;

      const backupStarted = performance.now();
      const { folder, manifest } = await takeBackup({
        databaseUrl: sourceUrl,
        dir,
        sections: BACKUP_MANIFEST_SECTIONS,
      });
      const backupMs = performance.now() - backupStarted;
      const report = await restoreBackup({
        from: folder,
        to: dbUrl(server, target),
        force: false,
        sections: BACKUP_MANIFEST_SECTIONS,
        migrate: migrateRestored,
        checks: restoreChecks({ ...process.env, DATABASE_URL: dbUrl(server, target) }),
        roles: [API_DB_ROLE],
        log: () => undefined,
      });
      if (report.problems.length > 0) throw new Error(report.problems.join('\n'));

      const bareDump = join(dir, 'bare.dump');
      const dumpMs = timed('pg_dump', ['-Fc', '-f', bareDump], pgEnvOf(sourceUrl));
      await admin(server, `CREATE DATABASE "${bare}"`);
      const restoreMs = timed(
        'pg_restore',
        ['--no-owner', '--single-transaction', '-d', bare, bareDump],
        pgEnvOf(dbUrl(server, bare)),
      );
      process.stdout.write(
        `${String(seeded.entries).padEnd(10)} ${String(jobs).padEnd(8)} ${(backupMs / 1000).toFixed(1).padStart(8)}  ${(manifest.dump.bytes / 1e6).toFixed(1).padStart(7)}  ${(report.totalMs / 1000).toFixed(1).padStart(15)}  ${(dumpMs / 1000).toFixed(1).padStart(14)}  ${(restoreMs / 1000).toFixed(1).padStart(17)}  (bare dump ${(statSync(bareDump).size / 1e6).toFixed(1)} MB; seeded in ${(seedMs / 1000).toFixed(1)} s)\n`,
      );
      process.stdout.write(
        `  restore steps: ${report.steps.map((s) => `${s.step} ${(s.ms / 1000).toFixed(1)} s`).join(', ')}\n`,
      );
      rows.push({
        entries: seeded.entries,
        backupMs,
        restoreMs: report.totalMs,
        bytes: manifest.dump.bytes,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      for (const name of [source, target, bare])
        await admin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  }
  // Growth: each figure's ratio to the previous size, divided by the ratio of entries (1.0 = linear).
  for (let i = 1; i < rows.length; i += 1) {
    const [a, b] = [rows[i - 1], rows[i]];
    if (!a || !b) continue;
    const scale = b.entries / a.entries;
    const growth = (x: number, y: number) => (y / x / scale).toFixed(2);
    process.stdout.write(
      `growth ${a.entries} -> ${b.entries} (x${scale.toFixed(1)} entries): backup time x${(b.backupMs / a.backupMs).toFixed(1)} (${growth(a.backupMs, b.backupMs)} of linear), restore time x${(b.restoreMs / a.restoreMs).toFixed(1)} (${growth(a.restoreMs, b.restoreMs)}), dump size x${(b.bytes / a.bytes).toFixed(1)} (${growth(a.bytes, b.bytes)})\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:backup failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
