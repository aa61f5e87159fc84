import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrationDataSource } from '../../migrations/data-source';
import { runCli } from '../support/backup-seed';
import { freePort } from '../support/free-port';
import { baseTestEnv } from '../support/test-env';

const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function asPostgres(command: string, args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], {
    stdio: 'pipe',
  }).toString();
}

function owned(path: string): void {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(path, uid, gid);
}

async function sql<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.all_users', 'on', true)`);
    const { rows } = await client.query(text, params);
    await client.query('COMMIT');
    return rows as T[];
  } finally {
    await client.end();
  }
}

/** Grants of 10 credits numbered from..to, one committed transaction each, as the ledger writes them. */
async function grants(url: string, userId: string, from: number, to: number): Promise<void> {
  for (let g = from; g <= to; g += 1)
    await sql(
      url,
      `WITH e AS (INSERT INTO credit_entries (user_id, delta, balance_after, kind, reference)
                  VALUES ($1, 10, $2, 'grant', 'pitr:' || $3) RETURNING 1)
       UPDATE credit_accounts SET balance = $2 WHERE user_id = $1`,
      [userId, 10 * g, g],
    );
}

/**
 * Point-in-time recovery with pgBackRest, on a PostgreSQL cluster of the test's own (initdb in
 * a temp dir, its own port, run as the non-root postgres user): WAL archiving, a full backup,
 * ledger activity, time T, more activity, then a restore to T into a new cluster holds exactly
 * the entries before T and passes ledger:verify. Its own CI step (npm run test:pitr).
 */
describe('point-in-time recovery with pgBackRest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jewelshot-pitr-'));
  const conf = join(dir, 'pgbackrest.conf');
  const data = join(dir, 'data');
  const restored = join(dir, 'restored');
  let port: number;
  let restoredPort: number;
  const pgbackrest = (...args: string[]) =>
    asPostgres('pgbackrest', [`--config=${conf}`, '--stanza=pitr', ...args]);
  const pgCtl = (pgData: string, ...args: string[]) =>
    asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', pgData, ...args]);

  beforeAll(async () => {
    chmodSync(dir, 0o700);
    owned(dir);
    port = await freePort();
    restoredPort = await freePort();
    for (const sub of ['repo', 'lock', 'log', 'spool']) {
      mkdirSync(join(dir, sub));
      owned(join(dir, sub));
    }
    writeFileSync(
      conf,
      [
        '[global]',
        `repo1-path=${join(dir, 'repo')}`,
        `lock-path=${join(dir, 'lock')}`,
        `log-path=${join(dir, 'log')}`,
        `spool-path=${join(dir, 'spool')}`,
        'log-level-console=warn',
        'start-fast=y',
        '',
        '[pitr]',
        `pg1-path=${data}`,
        `pg1-port=${port}`,
        `pg1-socket-path=${dir}`,
        '',
      ].join('\n'),
    );
    owned(conf);
    asPostgres(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8']);
    pgCtl(
      data,
      '-l',
      join(dir, 'server.log'),
      '-o',
      [
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c wal_level=replica`,
        `-c archive_mode=on -c archive_timeout=60`,
        `-c "archive_command=pgbackrest --config=${conf} --stanza=pitr archive-push %p"`,
      ].join(' '),
      '-w',
      'start',
    );
  }, 120_000);

  afterAll(() => {
    for (const pgData of [restored, data])
      try {
        pgCtl(pgData, '-m', 'immediate', '-w', 'stop');
      } catch {
        // not running
      }
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores to time T: exactly the entries before T, and ledger:verify passes', async () => {
    const url = `postgres://postgres@127.0.0.1:${port}/jewelshot`;
    const admin = new Client({
      connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    });
    await admin.connect();
    await admin.query('CREATE DATABASE jewelshot');
    await admin.end();
    const ds = await migrationDataSource(url).initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    const [user] = await sql<{ id: string }>(
      url,
      `INSERT INTO users (email, password_hash) VALUES ('pitr@example.test', 'x') RETURNING id::text`,
    );
    const userId = user?.id ?? '';

    pgbackrest('stanza-create');
    pgbackrest('--type=full', 'backup');
    // pgBackRest keeps a backup's stop time in whole seconds and restores to T only from a backup
    // that stopped before T: let the clock pass the backup's second before the activity starts.
    await sleep(2100);
    await grants(url, userId, 1, 40);
    const [{ t } = { t: '' }] = await sql<{ t: string }>(url, `SELECT now()::text AS t`);
    await sleep(1100);
    await grants(url, userId, 41, 80);
    // Archive the WAL holding the later activity too (check switches and waits for it).
    pgbackrest('check');

    pgCtl(data, '-m', 'fast', '-w', 'stop');
    mkdirSync(restored, { mode: 0o700 });
    owned(restored);
    pgbackrest(
      `--pg1-path=${restored}`,
      '--type=time',
      `--target=${t}`,
      '--target-action=promote',
      'restore',
    );
    pgCtl(
      restored,
      '-l',
      join(dir, 'restored.log'),
      '-o',
      `-p ${restoredPort} -k ${dir} -c listen_addresses=127.0.0.1 -c archive_mode=off`,
      '-w',
      'start',
    );
    const restoredUrl = `postgres://postgres@127.0.0.1:${restoredPort}/jewelshot`;
    for (let i = 0; i < 300; i += 1) {
      const [state] = await sql<{ r: boolean }>(restoredUrl, 'SELECT pg_is_in_recovery() AS r');
      if (state && !state.r) break;
      await sleep(100);
    }
    const entries = await sql<{ reference: string }>(
      restoredUrl,
      `SELECT reference FROM credit_entries ORDER BY id`,
    );
    expect(entries.map((e) => e.reference)).toEqual(
      Array.from({ length: 40 }, (_, i) => `pitr:${i + 1}`),
    );
    const verify = await runCli('ledger-verify.ts', [], {
      ...baseTestEnv(),
      DATABASE_URL: restoredUrl,
    });
    expect(verify.stdout).toContain('Ledger OK: no violations.');
    expect(verify.code).toBe(0);
  }, 300_000);
});
