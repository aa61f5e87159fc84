/**
 * npm run bench:ledger — reserve+confirm pairs per second through LedgerService, (a) spread
 * over 1,000 accounts and (b) on one hot account, at concurrency 1, 8 and 32; and in the same
 * run the same work as hand-written SQL in raw `pg` transactions, the floor of what PostgreSQL
 * allows here. Prints pairs/s, p50/p99 per pair and ours/raw ratios. Figures, not assertions.
 * Then the cost of row-level security: the same ledger pairs as the API runs them (its role,
 * each step in RowScope.run) against the CLI's connections, which see every row.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { CreditLedgerModule, LedgerService, LedgerVerifier } from '@jewelshot/credit-ledger';
import { ConfigModule, DatabaseModule, repoRoot, RowScope } from '@jewelshot/platform';
import { loadApiConfig, type ApiConfig } from '../apps/api/src/api.config';
import { CliModule } from '../apps/cli/src/cli.module';

const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ACCOUNTS = 1000;
const CONCURRENCY = [1, 8, 32];

type Pair = (userId: string, reference: string) => Promise<void>;

/** The ledger on connections like the API's: its role, under row-level security. */
@Module({})
class ApiRoleLedgerModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiRoleLedgerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({
          applicationName: 'jewelshot-bench-api-role',
          rowAccess: 'user-scoped',
        }),
        CreditLedgerModule,
      ],
    };
  }
}

interface Row {
  impl: string;
  spread: string;
  concurrency: number;
  pairsPerSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function measure(
  pair: Pair,
  pick: (i: number) => string,
  concurrency: number,
  label: string,
): Promise<Omit<Row, 'impl' | 'spread'>> {
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  let counter = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const i = counter++;
        const t0 = performance.now();
        await pair(pick(i), `${label}:${i}:${randomUUID()}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    pairsPerSecond: Math.round(latencies.length / elapsed),
    p50: Number(percentile(latencies, 50).toFixed(2)),
    p99: Number(percentile(latencies, 99).toFixed(2)),
  };
}

/** The same work as LedgerService.reserve + confirm, by hand, in two raw transactions. */
function rawPair(pool: Pool): Pair {
  return async (userId, reference) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ balance: string; reserved: string }>(
        'SELECT balance, reserved FROM credit_accounts WHERE user_id = $1 FOR UPDATE',
        [userId],
      );
      const account = rows[0];
      if (!account || Number(account.balance) - Number(account.reserved) < 1)
        throw new Error('insufficient');
      const hold = await client.query<{ id: string }>(
        `INSERT INTO credit_holds (user_id, amount, operation, unit_price, quantity, reference, status, expires_at)
         VALUES ($1, 1, 'generate', 1, 1, $2, 'pending', now() + interval '1 hour')
         ON CONFLICT (reference) DO NOTHING RETURNING id`,
        [userId, reference],
      );
      await client.query(
        'UPDATE credit_accounts SET reserved = reserved + 1, updated_at = now() WHERE user_id = $1',
        [userId],
      );
      await client.query('COMMIT');
      const holdId = hold.rows[0]?.id;

      await client.query('BEGIN');
      const locked = await client.query<{ balance: string }>(
        'SELECT balance FROM credit_accounts WHERE user_id = $1 FOR UPDATE',
        [userId],
      );
      await client.query(`SELECT status FROM credit_holds WHERE id = $1 FOR UPDATE`, [holdId]);
      const balance = Number(locked.rows[0]?.balance) - 1;
      await client.query(
        'UPDATE credit_accounts SET balance = $2, reserved = reserved - 1, updated_at = now() WHERE user_id = $1',
        [userId, balance],
      );
      await client.query(
        `INSERT INTO credit_entries (user_id, delta, balance_after, kind, hold_id, reference, reason)
         VALUES ($1, -1, $2, 'charge', $3::uuid, 'hold:' || $3::text, 'generate × 1')`,
        [userId, balance, holdId],
      );
      await client.query(
        `UPDATE credit_holds SET status = 'posted', settled_at = now() WHERE id = $1`,
        [holdId],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
}

async function main(): Promise<void> {
  const database = `jewelshot_bench_ledger_${Date.now()}`;
  const url = `${SERVER}/${database}`;
  const admin = new Pool({ connectionString: `${SERVER}/postgres`, max: 1 });
  await admin.query(`CREATE DATABASE "${database}"`);
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: url,
    DB_POOL_SIZE: '34',
    LOG_LEVEL: 'silent',
  };
  const migrated = spawnSync(
    process.execPath,
    [join(repoRoot(), 'dist', 'apps', 'cli', 'src', 'migrate.js')],
    { env, encoding: 'utf8' },
  );
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);

  const app = await NestFactory.createApplicationContext(CliModule.forRoot(loadApiConfig(env)), {
    logger: false,
  });
  const apiRole = await NestFactory.createApplicationContext(
    ApiRoleLedgerModule.forRoot(loadApiConfig(env)),
    { logger: false },
  );
  const raw = new Pool({ connectionString: url, max: 34 });
  try {
    const dataSource = app.get(DataSource);
    const ledger = app.get(LedgerService);
    const rows = (await dataSource.query(
      `INSERT INTO users (email, password_hash)
       SELECT 'bench-' || g || '@example.test', 'x' FROM generate_series(1, $1) g RETURNING id`,
      [ACCOUNTS],
    )) as Array<{ id: string }>;
    const userIds = rows.map((row) => row.id);
    for (const userId of userIds)
      await ledger.grant(userId, 10_000_000, `bench:${userId}`, 'bench credits');
    const hot = userIds[0] as string;

    const ours: Pair = async (userId, reference) => {
      const hold = await ledger.reserve(userId, 'generate', reference);
      await ledger.confirm(hold.id);
    };
    const results: Row[] = [];
    for (const [spread, pick] of [
      ['1,000 accounts', (i: number) => userIds[i % ACCOUNTS] as string],
      ['one hot account', () => hot],
    ] as const) {
      for (const concurrency of CONCURRENCY) {
        for (const [impl, pair] of [
          ['ledger', ours],
          ['raw pg', rawPair(raw)],
        ] as const) {
          const figures = await measure(
            pair,
            pick,
            concurrency,
            `${impl}:${spread}:${concurrency}`,
          );
          results.push({ impl, spread, ...figures });
        }
      }
    }

    const report = await app.get(LedgerVerifier).verify();
    console.log(
      `\nbench:ledger — ${SECONDS}s per cell, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    );
    console.log('spread            conc  impl     pairs/s  p50 ms  p99 ms  ours/raw');
    for (let i = 0; i < results.length; i += 2) {
      const a = results[i];
      const b = results[i + 1];
      if (!a || !b) continue;
      for (const row of [a, b]) {
        const ratio =
          row === a ? (a.pairsPerSecond / Math.max(1, b.pairsPerSecond)).toFixed(2) : '';
        console.log(
          `${row.spread.padEnd(17)} ${String(row.concurrency).padStart(4)}  ${row.impl.padEnd(7)} ${String(row.pairsPerSecond).padStart(8)}  ${row.p50.toFixed(2).padStart(6)}  ${row.p99.toFixed(2).padStart(6)}  ${ratio}`,
        );
      }
    }
    console.log(
      `verifier after the run: ${report.entries} entries, ${report.holds} holds, ${report.violations.length} violation(s)`,
    );

    // Row-level security: reserve (as in a job submission) and confirm, each in the user's
    // RowScope on the API's role, against the same calls on the CLI's see-all connections.
    // The raw pool is done: free its connections for the API-role pool.
    await raw.end();
    const scoped = apiRole.get(RowScope);
    const scopedLedger = apiRole.get(LedgerService);
    const asApi: Pair = async (userId, reference) => {
      const hold = await scoped.run(userId, () =>
        scopedLedger.reserve(userId, 'generate', reference),
      );
      await scoped.run(userId, () => scopedLedger.confirm(hold.id));
    };
    console.log(
      '\nrow-level security, 1,000 accounts: conc  cli pairs/s  api-role pairs/s  api/cli  p50 cli/api ms',
    );
    for (const concurrency of CONCURRENCY) {
      const pick = (i: number) => userIds[i % ACCOUNTS] as string;
      const cli = await measure(ours, pick, concurrency, `rls-cli:${concurrency}`);
      const api = await measure(asApi, pick, concurrency, `rls-api:${concurrency}`);
      console.log(
        `${String(concurrency).padStart(39)}  ${String(cli.pairsPerSecond).padStart(11)}  ${String(api.pairsPerSecond).padStart(16)}  ${(api.pairsPerSecond / Math.max(1, cli.pairsPerSecond)).toFixed(2).padStart(7)}  ${cli.p50.toFixed(2)}/${api.p50.toFixed(2)}`,
      );
    }
  } finally {
    if (!raw.ending) await raw.end();
    await apiRole.close();
    await app.close();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
