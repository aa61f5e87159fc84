import { Client } from 'pg';

export interface SeedShape {
  users: number;
  /** Grant entries per user (users × this = the ledger entries, plus the charges). */
  grantsPerUser: number;
  /** Users that also have 2 queued jobs and 2 running jobs past their deadline each. */
  activeUsers: number;
}

export interface SeedResult {
  entries: number;
  jobs: Record<'queued' | 'running' | 'succeeded' | 'failed' | 'canceled', number>;
  queuedIds: string[];
  runningIds: string[];
}

/**
 * Valid ledger rows in bulk SQL (every row what the services would write, so ledger:verify is
 * clean): per user `grantsPerUser` grants of 10, four succeeded jobs (posted holds, one charge
 * each), two failed and two canceled (voided holds); the first `activeUsers` users also have two
 * queued jobs and two running ones last touched two hours ago (pending holds, reserved).
 */
export async function seedLedgerAndJobs(url: string, shape: SeedShape): Promise<SeedResult> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.all_users', 'on', true)`);
    await client.query(
      `INSERT INTO users (email, password_hash)
       SELECT 'seed-' || g || '@example.test', 'not-a-real-hash' FROM generate_series(1, $1) g`,
      [shape.users],
    );
    await client.query(
      `CREATE TEMP TABLE seed_users ON COMMIT DROP AS
       SELECT id, row_number() OVER (ORDER BY email) AS rank FROM users WHERE email LIKE 'seed-%'`,
    );
    await client.query('ANALYZE seed_users');
    await client.query(
      `INSERT INTO credit_entries (user_id, delta, balance_after, kind, reference, reason)
       SELECT u.id, 10, 10 * g, 'grant', 'seed-grant:' || u.id || ':' || g, 'seed'
         FROM seed_users u, generate_series(1, $1) g ORDER BY u.rank, g`,
      [shape.grantsPerUser],
    );
    // Jobs: slot 1-4 succeeded, 5-6 failed, 7-8 canceled; 9-10 queued, 11-12 running (active users).
    await client.query(
      `CREATE TEMP TABLE seed_jobs ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, gen_random_uuid() AS hold_id, u.id AS user_id, u.rank, s AS slot,
              CASE WHEN s <= 4 THEN 'succeeded' WHEN s <= 6 THEN 'failed' WHEN s <= 8 THEN 'canceled'
                   WHEN s <= 10 THEN 'queued' ELSE 'running' END AS status
         FROM seed_users u, generate_series(1, 12) s
        WHERE s <= 8 OR u.rank <= $1`,
      [shape.activeUsers],
    );
    await client.query('ANALYZE seed_jobs');
    await client.query(
      `INSERT INTO credit_holds (id, user_id, amount, operation, unit_price, quantity, reference, status, expires_at, settled_at)
       SELECT hold_id, user_id, 1, 'generate', 1, 1, id::text,
              CASE status WHEN 'succeeded' THEN 'posted' WHEN 'queued' THEN 'pending' WHEN 'running' THEN 'pending' ELSE 'voided' END,
              now() + interval '1 day',
              CASE WHEN status IN ('queued', 'running') THEN NULL ELSE now() END
         FROM seed_jobs`,
    );
    await client.query(
      `INSERT INTO ai_jobs (id, user_id, operation, params, status, cost, hold_id, attempts,
                            created_at, updated_at, started_at, finished_at, error_code, error_message)
       SELECT id, user_id, 'generate', jsonb_build_object('prompt', 'seeded ' || slot), status, 1, hold_id,
              CASE WHEN status = 'queued' THEN 0 ELSE 1 END,
              now() - interval '3 hours',
              CASE WHEN status = 'running' THEN now() - interval '2 hours' ELSE now() - interval '1 minute' END,
              CASE WHEN status IN ('queued') THEN NULL ELSE now() - interval '2 hours' END,
              CASE WHEN status IN ('succeeded', 'failed', 'canceled') THEN now() ELSE NULL END,
              CASE WHEN status = 'failed' THEN 'PROVIDER_ERROR' ELSE NULL END,
              CASE WHEN status = 'failed' THEN 'seeded failure' ELSE NULL END
         FROM seed_jobs`,
    );
    await client.query(
      `INSERT INTO credit_entries (user_id, delta, balance_after, kind, hold_id, reference, reason)
       SELECT j.user_id, -1, 10 * $1 - row_number() OVER (PARTITION BY j.user_id ORDER BY j.slot),
              'charge', j.hold_id, 'seed-charge:' || j.hold_id, 'generate'
         FROM seed_jobs j WHERE j.status = 'succeeded' ORDER BY j.rank, j.slot`,
      [shape.grantsPerUser],
    );
    // One grouped pass (a per-account sub-query over seed_jobs made 1M entries take minutes).
    await client.query(
      `UPDATE credit_accounts a SET balance = 10 * $1 - 4, reserved = coalesce(r.n, 0)
         FROM seed_users u
         LEFT JOIN (SELECT user_id, count(*) AS n FROM seed_jobs
                     WHERE status IN ('queued', 'running') GROUP BY user_id) r ON r.user_id = u.id
        WHERE u.id = a.user_id`,
      [shape.grantsPerUser],
    );
    const counts = await client.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM seed_jobs GROUP BY status`,
    );
    const ids = await client.query<{ id: string; status: string }>(
      `SELECT id::text, status FROM seed_jobs WHERE status IN ('queued', 'running') ORDER BY id`,
    );
    const entries = await client.query<{ n: string }>(`SELECT count(*) AS n FROM credit_entries`);
    await client.query('COMMIT');
    const jobs = { queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 };
    for (const row of counts.rows) jobs[row.status as keyof typeof jobs] = Number(row.n);
    return {
      entries: Number(entries.rows[0]?.n ?? 0),
      jobs,
      queuedIds: ids.rows.filter((r) => r.status === 'queued').map((r) => r.id),
      runningIds: ids.rows.filter((r) => r.status === 'running').map((r) => r.id),
    };
  } finally {
    await client.end();
  }
}
