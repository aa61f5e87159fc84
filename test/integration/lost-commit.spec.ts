import { Client } from 'pg';
import { whatCommitted, type TransactionNote } from '@jewelshot/platform';
import { baseTestEnv } from '../support/test-env';

/**
 * whatCommitted against a real PostgreSQL: a transaction whose COMMIT's answer was lost is
 * settled by asking the server about its id, waiting while it is still in progress.
 */
describe('whatCommitted', () => {
  const url = baseTestEnv().DATABASE_URL as string;
  const table = `lost_commit_${process.pid}_${Date.now()}`;
  let asker: Client;
  const lostDatabase = () => new Error('Connection terminated unexpectedly');

  beforeAll(async () => {
    asker = new Client({ connectionString: url });
    await asker.connect();
    await asker.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
  });

  afterAll(async () => {
    await asker.query(`DROP TABLE IF EXISTS ${table}`);
    await asker.end();
  });

  /** A transaction that has noted its id and written row `id`, left open. */
  async function openTransaction(id: number): Promise<{ client: Client; note: TransactionNote }> {
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('BEGIN');
    const { rows } = await client.query('SELECT pg_current_xact_id()::text AS xid');
    await client.query(`INSERT INTO ${table} (id) VALUES ($1)`, [id]);
    return { client, note: { xid: (rows[0] as { xid: string }).xid } };
  }
  const settle = (
    note: TransactionNote,
    id: number,
    error: unknown = lostDatabase(),
    options: { answersAfterMs?: number; waitMs?: number } = {},
  ) => {
    // The server cannot be asked (restarting) until `answersAfterMs` have passed.
    const answersAt = Date.now() + (options.answersAfterMs ?? 0);
    return whatCommitted(error, {
      note,
      ask: async (sql, params) => {
        if (Date.now() < answersAt) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return (await asker.query(sql, params)).rows;
      },
      read: async () =>
        (await asker.query(`SELECT id FROM ${table} WHERE id = $1`, [id])).rows[0] ?? null,
      ...(options.waitMs !== undefined && { waitMs: options.waitMs }),
    });
  };

  it('answers with the rows of a transaction that commits while it waits', async () => {
    const { client, note } = await openTransaction(1);
    const settled = settle(note, 1);
    // Still in progress when asked: it waits, and the COMMIT lands a moment later.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.query('COMMIT');
    await client.end();
    await expect(settled).resolves.toEqual({ id: 1 });
  });

  it('throws the original error for a transaction that rolls back while it waits', async () => {
    const { client, note } = await openTransaction(2);
    const error = lostDatabase();
    // What it ends with, caught at once: it ends as soon as the ROLLBACK lands.
    const settled = settle(note, 2, error).then(
      () => 'answered',
      (thrown: unknown) => thrown,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.query('ROLLBACK');
    await client.end();
    expect(await settled).toBe(error);
  });

  it('keeps asking a server that cannot be asked yet (a restart), and answers once it can', async () => {
    const { client, note } = await openTransaction(5);
    await client.query('COMMIT');
    await client.end();
    await expect(settle(note, 5, lostDatabase(), { answersAfterMs: 500 })).resolves.toEqual({
      id: 5,
    });
  });

  it('says the outcome is unknown, rather than throw the original error (a 503 inviting a retry), when the server cannot be asked in time', async () => {
    const { client, note } = await openTransaction(6);
    const error = lostDatabase();
    const unasked = await settle(note, 6, error, { answersAfterMs: 60_000, waitMs: 400 }).catch(
      (thrown: unknown) => thrown,
    );
    expect(unasked).not.toBe(error);
    expect(unasked).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { outcome: 'unknown' } });
    // Still in progress when time is up: unknown too.
    const unsettled = await settle(note, 6, error, { waitMs: 300 }).catch(
      (thrown: unknown) => thrown,
    );
    expect(unsettled).toMatchObject({ details: { outcome: 'unknown' } });
    await client.query('ROLLBACK');
    await client.end();
  });

  it('throws the original error when no id was noted, or the error is not a lost database', async () => {
    const error = lostDatabase();
    await expect(settle({ xid: null }, 3, error)).rejects.toBe(error);
    const { client, note } = await openTransaction(4);
    await client.query('COMMIT');
    await client.end();
    const refused = new Error('duplicate key value violates unique constraint');
    await expect(settle(note, 4, refused)).rejects.toBe(refused);
    await expect(settle(note, 4)).resolves.toEqual({ id: 4 });
  });
});
