import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { DataSource } from 'typeorm';
import { User, UsersService } from '@jewelshot/identity';
import { NotFoundError } from '@jewelshot/platform';
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
});
