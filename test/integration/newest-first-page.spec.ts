import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { User, UsersService } from '@jewelshot/identity';
import { newestFirstPage } from '@jewelshot/platform';
import { loadConfig } from '../support/config';
import { jobPathContext } from '../support/job-path-context';
import { baseTestEnv, suitePrefix } from '../support/test-env';

/**
 * Keyset pages over rows whose created_at has microseconds (a column the database fills with
 * now(): rows of one transaction share it) must not skip the rows that share the cursor row's
 * millisecond: a JavaScript Date keeps milliseconds only.
 */
describe('newestFirstPage', () => {
  let context: INestApplicationContext;
  let users: UsersService;
  let dataSource: DataSource;

  beforeAll(async () => {
    const config = loadConfig({ ...baseTestEnv(), REDIS_KEY_PREFIX: suitePrefix('pages') });
    context = await jobPathContext(config, 'jewelshot-newest-first-page');
    users = context.get(UsersService);
    dataSource = context.get(DataSource);
  });

  afterAll(async () => {
    await context?.close();
  });

  /** Users whose emails share a fresh token, created_at set to the given instants. */
  async function usersAt(instants: string[]): Promise<{ token: string; ids: string[] }> {
    const token = randomBytes(6).toString('hex');
    const ids: string[] = [];
    for (const [i, at] of instants.entries()) {
      const user = await users.create(
        `page-${token}-${i}@example.test`,
        'not-a-hash',
        'user',
        'en',
      );
      await dataSource.query(`UPDATE users SET created_at = $2 WHERE id = $1`, [user.id, at]);
      ids.push(user.id);
    }
    return { token, ids };
  }

  it('pages through rows of one microsecond-precise instant, one at a time, skipping none', async () => {
    const { token, ids } = await usersAt([
      '2026-03-01T10:00:00.123456Z',
      '2026-03-01T10:00:00.123456Z',
      '2026-03-01T10:00:00.123789Z',
      '2026-03-01T10:00:00.123001Z',
      '2026-03-01T10:00:00.122999Z',
    ]);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await users.list(1, cursor, { email: `page-${token}-` });
      seen.push(...result.data.map((user) => user.id));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(ids));
    // Newest first: .123789, then the two of .123456 (id descending), .123001, .122999.
    const [a, b] = [ids[0], ids[1]].sort().reverse();
    expect(seen).toEqual([ids[2], a, b, ids[3], ids[4]]);
  });

  it('takes the position it was given when the cursor row is gone (a deleted row)', async () => {
    const { token, ids } = await usersAt([
      '2026-03-02T10:00:00.500000Z',
      '2026-03-02T10:00:00.400000Z',
    ]);
    const query = () =>
      dataSource
        .getRepository(User)
        .createQueryBuilder('u')
        .where('u.email LIKE :email', { email: `page-${token}-%` });
    // A position between the two rows, naming a row that does not exist.
    const page = await newestFirstPage(query(), 10, {
      id: randomUUID(),
      createdAt: new Date('2026-03-02T10:00:00.450Z'),
    });
    expect(page.data.map((user) => user.id)).toEqual([ids[1]]);
  });
});
