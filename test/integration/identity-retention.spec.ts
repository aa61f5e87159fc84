import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IdentityRetention, UsersService } from '@jewelshot/identity';
import { loadConfig } from '../support/config';
import { jobPathContext } from '../support/job-path-context';
import { baseTestEnv, suitePrefix } from '../support/test-env';

/**
 * The daily prune of the sign-in tables (the worker's identity-retention schedule): what can no
 * longer be used goes, what still can (or still says something) stays.
 */
describe('IdentityRetention', () => {
  let context: INestApplicationContext;
  let db: DataSource;
  let retention: IdentityRetention;
  let userId: string;

  beforeAll(async () => {
    const config = loadConfig({ ...baseTestEnv(), REDIS_KEY_PREFIX: suitePrefix('retention') });
    context = await jobPathContext(config, 'jewelshot-identity-retention');
    db = context.get(DataSource);
    retention = context.get(IdentityRetention);
    const user = await context
      .get(UsersService)
      .create(
        `retention-${randomBytes(6).toString('hex')}@example.test`,
        'not-a-hash',
        'user',
        'en',
      );
    userId = user.id;
  });

  afterAll(async () => {
    await context?.close();
  });

  /** A session of the user created `ago` (an interval) ago, revoked `revokedAgo` ago or not. */
  const session = async (ago: string, revokedAgo: string | null = null): Promise<string> => {
    const [row] = (await db.query(
      `INSERT INTO sessions (user_id, created_at, revoked_at, revoked_reason)
       VALUES ($1, now() - $2::interval, now() - $3::interval,
               CASE WHEN $3::interval IS NULL THEN NULL ELSE 'logout' END)
       RETURNING id`,
      [userId, ago, revokedAgo],
    )) as Array<{ id: string }>;
    return row?.id ?? '';
  };

  /** A refresh token of the session expiring `expiresIn` from now (negative: expired). */
  const token = async (sessionId: string, expiresIn: string, rotated = false): Promise<string> => {
    const [row] = (await db.query(
      `INSERT INTO refresh_tokens (session_id, token_hash, expires_at, rotated_at)
       VALUES ($1, $2, now() + $3::interval, CASE WHEN $4 THEN now() END) RETURNING id`,
      [sessionId, randomBytes(32).toString('hex'), expiresIn, rotated],
    )) as Array<{ id: string }>;
    return row?.id ?? '';
  };

  /** A mailed link's token used `usedAgo` ago (or never), expiring `expiresIn` from now. */
  const linkToken = async (usedAgo: string | null, expiresIn: string): Promise<string> => {
    const [row] = (await db.query(
      `INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at, used_at)
       VALUES ($1, 'password_reset', $2, now() + $3::interval, now() - $4::interval) RETURNING id`,
      [userId, randomBytes(32).toString('hex'), expiresIn, usedAgo],
    )) as Array<{ id: string }>;
    return row?.id ?? '';
  };

  const remaining = async (table: string, ids: string[]): Promise<string[]> =>
    (
      (await db.query(`SELECT id FROM ${table} WHERE id = ANY($1::uuid[])`, [ids])) as Array<{
        id: string;
      }>
    )
      .map((row) => row.id)
      .sort();

  it('deletes expired refresh tokens, ended sessions and spent link tokens, and keeps what is still of use', async () => {
    const live = await session('10 days');
    const rotated = await token(live, '20 days', true); // a reuse would still revoke `live`
    const current = await token(live, '29 days');
    const justExpired = await token(live, '-2 hours');
    const dead = await session('40 days');
    const deadToken = await token(dead, '-5 days');
    const revokedLongAgo = await session('40 days', '31 days');
    const revokedLongAgoToken = await token(revokedLongAgo, '1 day');
    const revokedRecently = await session('20 days', '2 days');
    await token(revokedRecently, '10 days');
    const starting = await session('1 hour'); // its token not written yet

    const spentLongAgo = await linkToken('31 days', '-30 days');
    const expiredLongAgo = await linkToken(null, '-31 days');
    const spentRecently = await linkToken('2 days', '-1 day');
    const unused = await linkToken(null, '1 hour');

    const pruned = await retention.prune();
    expect(pruned.refreshTokens).toBeGreaterThanOrEqual(1);
    expect(pruned.sessions).toBeGreaterThanOrEqual(2);
    expect(pruned.userTokens).toBeGreaterThanOrEqual(2);

    const sessions = [live, dead, revokedLongAgo, revokedRecently, starting];
    expect(await remaining('sessions', sessions)).toEqual([live, revokedRecently, starting].sort());
    expect(
      await remaining('refresh_tokens', [
        rotated,
        current,
        justExpired,
        deadToken,
        revokedLongAgoToken,
      ]),
    ).toEqual([rotated, current, justExpired].sort());
    expect(
      await remaining('user_tokens', [spentLongAgo, expiredLongAgo, spentRecently, unused]),
    ).toEqual([spentRecently, unused].sort());

    // A second run finds nothing more of these.
    const again = await retention.prune();
    expect(await remaining('sessions', sessions)).toEqual([live, revokedRecently, starting].sort());
    expect(again.sessions).toBe(0);
  });
});
