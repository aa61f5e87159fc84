import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { User, UsersService } from '@jewelshot/identity';
import { NotFoundError, queryRows } from '@jewelshot/platform';
import { loadConfig } from '../support/config';
import { jobPathContext } from '../support/job-path-context';
import { baseTestEnv, suitePrefix } from '../support/test-env';

/**
 * UsersService.findById reads the row with one hand-written SELECT (no query builder): it must
 * give exactly the entity TypeORM's own find gives, every column, and join the caller's
 * transaction like every other read through the transaction host.
 */
describe('UsersService.findById', () => {
  let context: INestApplicationContext;
  let users: UsersService;
  let dataSource: DataSource;
  let txHost: TransactionHost<TransactionalAdapterTypeOrm>;

  beforeAll(async () => {
    const config = loadConfig({ ...baseTestEnv(), REDIS_KEY_PREFIX: suitePrefix('users-by-id') });
    context = await jobPathContext(config, 'jewelshot-users-by-id');
    users = context.get(UsersService);
    dataSource = context.get(DataSource);
    txHost = context.get(TransactionHost);
  });

  afterAll(async () => {
    await context?.close();
  });

  const email = () => `by-id-${randomBytes(6).toString('hex')}@example.test`;

  it('gives the same entity as TypeORM, every column mapped', async () => {
    const created = await users.create(email(), 'not-a-real-hash', 'admin', 'tr');
    await users.setPriorityTier(created.id, 'high');
    await users.markEmailVerified(created.id);

    const found = await users.findById(created.id);
    const expected = await dataSource.getRepository(User).findOneByOrFail({ id: created.id });
    expect(found).toBeInstanceOf(User);
    expect(found).toEqual(expected);
    expect(found?.emailVerifiedAt).toBeInstanceOf(Date);
    expect(found?.createdAt).toBeInstanceOf(Date);
    expect(found).toMatchObject({ role: 'admin', language: 'tr', priorityTier: 'high' });
    // Every column of the entity is there: a column added to the entity is read too.
    const properties = dataSource.getMetadata(User).columns.map((column) => column.propertyName);
    expect(Object.keys(found ?? {}).sort()).toEqual([...properties].sort());
  });

  it('gives null for an unknown id, and getById a NotFoundError', async () => {
    await expect(users.findById(randomUUID())).resolves.toBeNull();
    await expect(users.getById(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('getProfile reads the columns a profile shows, the same values as findById, and never the password hash', async () => {
    const created = await users.create(email(), 'not-a-real-hash', 'admin', 'tr');
    await users.markEmailVerified(created.id);
    const profile = await users.getProfile(created.id);
    const full = await users.findById(created.id);
    // The entity class declares every column; those not read stay undefined.
    const read = Object.entries(profile).filter(([, value]) => value !== undefined);
    expect(read.map(([key]) => key).sort()).toEqual([
      'createdAt',
      'email',
      'emailVerifiedAt',
      'id',
      'language',
      'priorityTier',
      'role',
      'status',
    ]);
    expect(Object.fromEntries(read)).toEqual({
      id: full?.id,
      email: full?.email,
      role: 'admin',
      status: 'active',
      priorityTier: 'normal',
      emailVerifiedAt: full?.emailVerifiedAt,
      language: 'tr',
      createdAt: full?.createdAt,
    });
    expect(profile.createdAt).toBeInstanceOf(Date);
    expect((profile as Partial<User>).passwordHash).toBeUndefined();
    await expect(users.getProfile(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
  });

  it("reads in the caller's transaction", async () => {
    const created = await users.create(email(), 'not-a-real-hash');
    const outside: Array<User | null> = [];
    await txHost.withTransaction(async () => {
      await users.setStatus(created.id, 'banned');
      // Inside: the uncommitted change; outside (another connection): the committed row.
      expect((await users.findById(created.id))?.status).toBe('banned');
      outside.push(await dataSource.getRepository(User).findOneBy({ id: created.id }));
    });
    expect(outside[0]?.status).toBe('active');
    expect((await users.findById(created.id))?.status).toBe('banned');
  });

  describe('queryRows (the read under findById)', () => {
    it('outside a transaction runs on the pool, without a TypeORM query runner', async () => {
      const runners = jest.spyOn(dataSource, 'createQueryRunner');
      try {
        const rows = await queryRows(txHost, 'SELECT $1::int + 1 AS n', [41]);
        expect(rows).toEqual([{ n: 42 }]);
        expect(runners).not.toHaveBeenCalled();
      } finally {
        runners.mockRestore();
      }
    });

    it('fails as TypeORM does: a QueryFailedError with the driver code, told to the data source logger', async () => {
      const logged = jest.spyOn(dataSource.logger, 'logQueryError');
      try {
        const failure = queryRows(txHost, 'SELECT $1::uuid AS id', ['not-a-uuid']);
        await expect(failure).rejects.toBeInstanceOf(QueryFailedError);
        await expect(failure).rejects.toMatchObject({ driverError: { code: '22P02' } });
        // The same failure through TypeORM, for comparison.
        await expect(
          dataSource.query('SELECT $1::uuid AS id', ['not-a-uuid']),
        ).rejects.toMatchObject({ driverError: { code: '22P02' } });
        expect(logged).toHaveBeenCalledWith(expect.anything(), 'SELECT $1::uuid AS id', [
          'not-a-uuid',
        ]);
      } finally {
        logged.mockRestore();
      }
    });

    it('reports a statement slower than maxQueryExecutionTime to the logger', async () => {
      const options = dataSource.options as { maxQueryExecutionTime?: number };
      const before = options.maxQueryExecutionTime;
      const slow = jest.spyOn(dataSource.logger, 'logQuerySlow');
      options.maxQueryExecutionTime = 20;
      try {
        await queryRows(txHost, 'SELECT pg_sleep(0.05)', []);
        await queryRows(txHost, 'SELECT 1', []);
        expect(slow).toHaveBeenCalledTimes(1);
        expect(slow.mock.calls[0]?.[0]).toBeGreaterThanOrEqual(20);
        expect(slow.mock.calls[0]?.[1]).toBe('SELECT pg_sleep(0.05)');
      } finally {
        options.maxQueryExecutionTime = before;
        slow.mockRestore();
      }
    });

    // The transaction holds its connection, so the pool could not have given the same one.
    it('inside a transaction runs on its connection', async () => {
      await txHost.withTransaction(async () => {
        const [own] = await queryRows(txHost, 'SELECT pg_backend_pid() AS pid', []);
        const [again] = await queryRows(txHost, 'SELECT pg_backend_pid() AS pid', []);
        expect(again?.pid).toBe(own?.pid);
        const [viaManager] = (await txHost.tx.query('SELECT pg_backend_pid() AS pid')) as Array<{
          pid: number;
        }>;
        expect(viaManager?.pid).toBe(own?.pid);
      });
    });
  });
});
