import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { DataSource } from 'typeorm';
import { LedgerVerifier } from '@jewelshot/credit-ledger';
import { RowScope } from '@jewelshot/platform';
import { startApi, type TestApi } from '../support/app';
import { fund, submit, upload } from '../support/ai';
import { bearer, newAdmin, newUser, type TestUser } from '../support/factories';
import { smallPng } from '../support/images';
import { startLedger, type LedgerContext } from '../support/ledger';
import { suitePrefix } from '../support/test-env';

/** Every table under row-level security. */
const USER_TABLES = [
  'sessions',
  'credit_accounts',
  'credit_holds',
  'credit_entries',
  'batches',
  'ai_jobs',
  'idempotency_keys',
  'files',
  'api_keys',
];

type OwnerRow = { user_id: string };

/**
 * Row-level security, exercised through the API's own DataSource (the jewelshot_api role that
 * cannot bypass it), with each query's `WHERE user_id` deliberately left out.
 */
describe('row-level security', () => {
  let api: TestApi;
  let cli: LedgerContext;
  let apiDb: DataSource;
  let scope: RowScope;
  let txHost: TransactionHost<TransactionalAdapterTypeOrm>;
  let a: TestUser;
  let b: TestUser;

  /** Whose rows of `table` the current transaction sees. */
  const owners = async (table: string): Promise<string[]> => {
    const rows = (await txHost.tx.query(`SELECT user_id::text FROM ${table}`)) as OwnerRow[];
    return [...new Set(rows.map((row) => row.user_id))];
  };

  /** Gives a user one row in every user-owned table, through the API. */
  const populate = async (user: TestUser) => {
    await fund(api, user, 20);
    const file = await upload(api, user, await smallPng(48, 32));
    expect(file.status).toBe(201);
    const job = await submit(
      api,
      user,
      { operation: 'generate', params: { prompt: 'a ring' } },
      `key-${user.id}`,
    );
    expect(job.status).toBe(202);
    const batch = await api
      .http()
      .post('/v1/batches')
      .set(...bearer(user.accessToken))
      .send({
        name: 'one',
        operation: 'upscale',
        params: { scale: 2 },
        inputImageIds: [file.body.id],
      });
    expect(batch.status).toBe(201);
    const key = await api
      .http()
      .post('/v1/api-keys')
      .set(...bearer(user.accessToken))
      .send({ name: 'one', scopes: ['jobs:read'] });
    expect(key.status).toBe(201);
  };

  beforeAll(async () => {
    api = await startApi({ REDIS_KEY_PREFIX: suitePrefix('rls') });
    cli = await startLedger();
    apiDb = api.app.get(DataSource);
    scope = api.app.get(RowScope);
    txHost = api.app.get(TransactionHost);
    a = await newUser(api, 'rls-a');
    b = await newUser(api, 'rls-b');
    await populate(a);
    await populate(b);
  });

  afterAll(async () => {
    await cli.close();
    await api.close();
  });

  it('connects the API as a role that is neither superuser nor allowed to bypass row security', async () => {
    const [role] = (await apiDb.query(
      `SELECT current_user AS name, r.rolsuper, r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user`,
    )) as Array<{ name: string; rolsuper: boolean; rolbypassrls: boolean }>;
    expect(role).toEqual({ name: 'jewelshot_api', rolsuper: false, rolbypassrls: false });
    const [table] = (await api.db.query(
      `SELECT count(*)::int AS n FROM pg_class WHERE relname = ANY($1) AND relrowsecurity AND relforcerowsecurity`,
      [USER_TABLES],
    )) as Array<{ n: number }>;
    expect(table?.n).toBe(USER_TABLES.length);
  });

  it("in user A's scope, a query with no WHERE user_id sees only A's rows, in every user-owned table", async () => {
    // Both users have rows everywhere, as the superuser sees it.
    for (const table of USER_TABLES) {
      const rows = (await api.db.query(
        `SELECT DISTINCT user_id::text FROM ${table} WHERE user_id = ANY($1)`,
        [[a.id, b.id]],
      )) as OwnerRow[];
      expect({ table, owners: rows.map((row) => row.user_id).sort() }).toEqual({
        table,
        owners: [a.id, b.id].sort(),
      });
    }
    const seen = await scope.run(a.id, async () => {
      const result: Record<string, string[]> = {};
      for (const table of USER_TABLES) result[table] = await owners(table);
      return result;
    });
    expect(seen).toEqual(Object.fromEntries(USER_TABLES.map((table) => [table, [a.id]])));
  });

  it('refuses to write a row for another user from inside a scope', async () => {
    await expect(
      scope.run(a.id, () =>
        txHost.tx.query(
          `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, 'forged', repeat('0', 64))`,
          [b.id],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    // An UPDATE of another user's row finds no row to change.
    await scope.run(a.id, () =>
      txHost.tx.query(`UPDATE credit_accounts SET balance = balance + 100 WHERE user_id = $1`, [
        b.id,
      ]),
    );
    const [account] = (await api.db.query(
      `SELECT balance FROM credit_accounts WHERE user_id = $1`,
      [b.id],
    )) as Array<{ balance: string }>;
    expect(Number(account?.balance)).toBe(23);
  });

  it('sees nothing and can insert nothing with no user set, inside a transaction or not', async () => {
    const counts = await apiDb.transaction(async (manager) => {
      const result: Record<string, number> = {};
      for (const table of USER_TABLES) {
        const [row] = (await manager.query(`SELECT count(*)::int AS n FROM ${table}`)) as Array<{
          n: number;
        }>;
        result[table] = row?.n ?? -1;
      }
      return result;
    });
    expect(counts).toEqual(Object.fromEntries(USER_TABLES.map((table) => [table, 0])));
    expect(await apiDb.query(`SELECT id FROM ai_jobs`)).toEqual([]);
    await expect(
      apiDb.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, 'unscoped', repeat('0', 64))`,
        [a.id],
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('sees every user only inside allUsers, and only for as long as it lasts', async () => {
    expect(
      (await scope.allUsers(() => owners('ai_jobs')))
        .filter((id) => id === a.id || id === b.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    // The setting is transaction-local: the next transaction on the same pool sees nothing.
    expect(await apiDb.query(`SELECT id FROM ai_jobs`)).toEqual([]);
    expect(await scope.run(b.id, () => owners('ai_jobs'))).toEqual([b.id]);
    // Nested: a narrow see-everything lookup inside A's scope hands A's scope back after it.
    const nested = await scope.run(a.id, async () => {
      const during = await scope.allUsers(() => owners('credit_entries'));
      return {
        during: during.filter((id) => id === a.id || id === b.id).sort(),
        after: await owners('credit_entries'),
      };
    });
    expect(nested).toEqual({ during: [a.id, b.id].sort(), after: [a.id] });
  });

  it('holds one owner rule for reading and writing, on every table under row security', async () => {
    const policies = (await api.db.query(
      `SELECT c.relname AS table, p.polname AS name,
              pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS check
         FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid
        WHERE c.relrowsecurity AND c.relnamespace = 'public'::regnamespace ORDER BY 1`,
    )) as Array<{ table: string; name: string | null; using: string | null; check: string | null }>;
    expect(policies.map((policy) => policy.table)).toEqual(expect.arrayContaining(USER_TABLES));
    const rule = policies[0]?.using;
    expect(rule).toMatch(/CASE\s+WHEN/);
    for (const policy of policies)
      expect(policy).toEqual({
        table: policy.table,
        name: `${policy.table}_owner`,
        using: rule,
        check: rule,
      });
  });

  it("lets a transaction see all rows only with app.all_users exactly on, else its user's, else none", async () => {
    const seenWith = (allUsers: string, userId: string) =>
      apiDb.transaction(async (manager) => {
        await manager.query(
          `SELECT set_config('app.all_users', $1, true), set_config('app.user_id', $2, true)`,
          [allUsers, userId],
        );
        const rows = (await manager.query(
          `SELECT DISTINCT user_id::text FROM ai_jobs WHERE user_id = ANY($1)`,
          [[a.id, b.id]],
        )) as OwnerRow[];
        return rows.map((row) => row.user_id).sort();
      });
    expect(await seenWith('on', '')).toEqual([a.id, b.id].sort());
    expect(await seenWith('on', a.id)).toEqual([a.id, b.id].sort());
    expect(await seenWith('', a.id)).toEqual([a.id]);
    expect(await seenWith('off', b.id)).toEqual([b.id]);
    expect(await seenWith('ON', a.id)).toEqual([a.id]);
    expect(await seenWith(' on', '')).toEqual([]);
    expect(await seenWith('', '')).toEqual([]);
  });

  it('lets the worker-side connections (CLI, worker, migrations) see every row, on purpose', async () => {
    const rows = (await cli.dataSource.query(
      `SELECT DISTINCT user_id::text FROM ai_jobs WHERE user_id = ANY($1)`,
      [[a.id, b.id]],
    )) as OwnerRow[];
    expect(rows.map((row) => row.user_id).sort()).toEqual([a.id, b.id].sort());
    const [who] = (await cli.dataSource.query(
      `SELECT current_setting('app.all_users', true) AS all_users`,
    )) as Array<{ all_users: string }>;
    expect(who?.all_users).toBe('on');
  });

  it('runs the ledger verifier over every row even from the API process (a filtered check would prove nothing)', async () => {
    const [all] = (await api.db.query(
      `SELECT (SELECT count(*) FROM credit_accounts)::int AS accounts, (SELECT count(*) FROM credit_holds)::int AS holds`,
    )) as Array<{ accounts: number; holds: number }>;
    const report = await api.app.get(LedgerVerifier).verify();
    // Other suites write to the same database meanwhile: at least what the superuser saw before.
    expect(report.accounts).toBeGreaterThanOrEqual(all?.accounts ?? Infinity);
    expect(report.holds).toBeGreaterThanOrEqual(all?.holds ?? Infinity);
    expect(report.violations).toEqual([]);
  });

  it('still answers each user with only their own jobs, files and history over HTTP', async () => {
    const jobs = await api
      .http()
      .get('/v1/ai/jobs')
      .set(...bearer(a.accessToken));
    expect(jobs.status).toBe(200);
    expect(jobs.body.data.length).toBeGreaterThan(0);
    const [foreign] = (await api.db.query(`SELECT id FROM files WHERE user_id = $1 LIMIT 1`, [
      b.id,
    ])) as Array<{ id: string }>;
    const file = await api
      .http()
      .get(`/v1/files/${foreign?.id}`)
      .set(...bearer(a.accessToken));
    expect(file.status).toBe(404);
    const balance = await api
      .http()
      .get('/v1/credits/balance')
      .set(...bearer(a.accessToken));
    expect(balance.body).toMatchObject({ balance: 23 });
  });

  it("lets an admin's request see another user's job, batch and file, and nobody else's", async () => {
    const admin = await newAdmin(api);
    const [job] = (await api.db.query(
      `SELECT id, batch_id FROM ai_jobs WHERE user_id = $1 AND batch_id IS NOT NULL`,
      [b.id],
    )) as Array<{
      id: string;
      batch_id: string;
    }>;
    const [file] = (await api.db.query(`SELECT id FROM files WHERE user_id = $1 LIMIT 1`, [
      b.id,
    ])) as Array<{ id: string }>;
    const paths = [
      `/v1/ai/jobs/${job?.id}`,
      `/v1/batches/${job?.batch_id}`,
      `/v1/files/${file?.id}`,
    ];
    for (const path of paths) {
      expect({
        path,
        status: (
          await api
            .http()
            .get(path)
            .set(...bearer(admin.accessToken))
        ).status,
      }).toEqual({ path, status: 200 });
      expect({
        path,
        status: (
          await api
            .http()
            .get(path)
            .set(...bearer(a.accessToken))
        ).status,
      }).toEqual({ path, status: 404 });
    }
  });
});
