/**
 * The minimum SQL of a paid job, shared by bench:jobs' two "same work" floors (in the bench's
 * own process, and over HTTP in processes of their own: bench/floor-server.ts): reserve the
 * credits and insert the job in one transaction; claim it in one statement; store its output
 * row, post the hold with the charge and mark it succeeded in one transaction.
 */
import type { Pool } from 'pg';

export type FloorQuery = (
  sql: string,
  params: unknown[],
) => Promise<Record<string, string> | undefined>;

/** What a floor job carries through the queue. */
export interface FloorJob {
  jobId: string;
  holdId: string;
  userId: string;
}

export interface FloorCounts {
  statements: number;
  transactions: number;
}

/** One transaction (or one statement on its own when `single`), every statement counted. */
export async function floorTx<T>(
  pool: Pool,
  counts: FloorCounts,
  work: (query: FloorQuery) => Promise<T>,
  single = false,
): Promise<T> {
  const client = await pool.connect();
  const query: FloorQuery = async (sql, params) => {
    counts.statements += 1;
    return (await client.query<Record<string, string>>(sql, params)).rows[0];
  };
  try {
    if (!single) await query('BEGIN', []);
    const result = await work(query);
    if (!single) await query('COMMIT', []);
    counts.transactions += 1;
    return result;
  } catch (error) {
    if (!single) await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Reserve one credit and insert the job (its prompt marks the floor's rows apart from ours). */
export async function floorSubmit(
  query: FloorQuery,
  userId: string,
  reference: string,
  params = '{"prompt":"bench ring"}',
): Promise<Omit<FloorJob, 'userId'>> {
  const account = await query(
    'SELECT balance - reserved AS available FROM credit_accounts WHERE user_id = $1 FOR UPDATE',
    [userId],
  );
  if (!account || Number(account.available) < 1) throw new Error('insufficient');
  const hold = await query(
    `INSERT INTO credit_holds (user_id, amount, operation, unit_price, quantity, reference, status, expires_at)
     VALUES ($1, 1, 'generate', 1, 1, $2, 'pending', now() + interval '1 hour') RETURNING id`,
    [userId, reference],
  );
  await query(
    'UPDATE credit_accounts SET reserved = reserved + 1, updated_at = now() WHERE user_id = $1',
    [userId],
  );
  const inserted = await query(
    `INSERT INTO ai_jobs (user_id, operation, params, cost, hold_id)
     VALUES ($1, 'generate', $2, 1, $3) RETURNING id`,
    [userId, params, hold?.id],
  );
  return { holdId: String(hold?.id), jobId: String(inserted?.id) };
}

/** Claim the job and, in a second transaction, store its output, charge and mark it succeeded. */
export async function floorProcess(pool: Pool, counts: FloorCounts, job: FloorJob): Promise<void> {
  const { jobId, userId, holdId } = job;
  const claimed = await floorTx(
    pool,
    counts,
    (query) =>
      query(
        `UPDATE ai_jobs SET status = 'running', started_at = now(), attempts = attempts + 1, updated_at = now()
          WHERE id = $1 AND status = 'queued' RETURNING id`,
        [jobId],
      ),
    true,
  );
  if (!claimed) throw new Error('not claimed');
  await floorTx(pool, counts, async (query) => {
    await query(
      `INSERT INTO files (user_id, kind, job_id, storage_key, content_type, bytes, width, height)
       VALUES ($1, 'output', $2::uuid, 'floor/' || $2::uuid::text || '.png', 'image/png', 1, 1, 1)`,
      [userId, jobId],
    );
    await query(`SELECT status FROM credit_holds WHERE id = $1 FOR UPDATE`, [holdId]);
    const account = await query(
      `UPDATE credit_accounts SET balance = balance - 1, reserved = reserved - 1, updated_at = now()
        WHERE user_id = $1 RETURNING balance::text AS balance`,
      [userId],
    );
    await query(
      `INSERT INTO credit_entries (user_id, delta, balance_after, kind, hold_id, reference, reason)
       VALUES ($1, -1, $2, 'charge', $3::uuid, 'hold:' || $3::uuid::text, 'generate × 1')`,
      [userId, account?.balance, holdId],
    );
    await query(`UPDATE credit_holds SET status = 'posted', settled_at = now() WHERE id = $1`, [
      holdId,
    ]);
    await query(
      `UPDATE ai_jobs SET status = 'succeeded', finished_at = now(), updated_at = now() WHERE id = $1`,
      [jobId],
    );
  });
}
