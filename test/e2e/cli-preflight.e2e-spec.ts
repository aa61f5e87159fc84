import { preflightOrExit, type PlatformConfig } from '@jewelshot/platform';
import { freePort } from '../support/free-port';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis';
import { TEST_PG_SERVER, TEST_REDIS_URL } from '../support/test-env';

const REDIS_PASSWORD = 'preflight-redis-s3cret';

/**
 * What the commands' preflight says before they start: a server that is down is "not
 * answering" (start it), one that answers and refuses (a wrong password, a role that does not
 * exist) says so with the server's reason and never the password.
 */
describe('preflight', () => {
  let redis: ThrowawayRedis;
  let redisPort: number;

  beforeAll(async () => {
    redis = await startThrowawayRedis({ password: REDIS_PASSWORD });
    redisPort = redis.port;
  });

  afterAll(async () => {
    await redis.stop();
  });

  /** What preflightOrExit prints, and whether it exited. */
  async function preflight(
    urls: { DATABASE_URL?: string; REDIS_URL?: string },
    needs: { redis: boolean; databaseMayBeMissing?: boolean } = { redis: true },
  ): Promise<{ exited: boolean; output: string }> {
    const config = {
      DATABASE_URL: `${TEST_PG_SERVER}/postgres`,
      REDIS_URL: TEST_REDIS_URL,
      ...urls,
    } as PlatformConfig;
    let output = '';
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      output += String(chunk);
      return true;
    });
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('exited');
    }) as never);
    try {
      await preflightOrExit(config, needs);
      return { exited: false, output };
    } catch (error) {
      if ((error as Error).message !== 'exited') throw error;
      expect(exit).toHaveBeenCalledWith(2);
      return { exited: true, output };
    } finally {
      write.mockRestore();
      exit.mockRestore();
    }
  }

  it('passes when both answer (for migrate, which creates it, a database not created yet counts as answering)', async () => {
    expect(
      await preflight(
        {
          DATABASE_URL: `${TEST_PG_SERVER}/jewelshot_preflight_does_not_exist`,
          REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${redisPort}`,
        },
        { redis: true, databaseMayBeMissing: true },
      ),
    ).toEqual({ exited: false, output: '' });
  });

  it('says a database that does not exist was refused (3D000), and how to make it', async () => {
    const server = new URL(TEST_PG_SERVER);
    const { exited, output } = await preflight(
      { DATABASE_URL: `${TEST_PG_SERVER}/jewelshot_preflight_does_not_exist` },
      { redis: false },
    );
    expect(exited).toBe(true);
    expect(output).toBe(
      `PostgreSQL at ${server.hostname}:${server.port || '5432'} answered but refused: database "jewelshot_preflight_does_not_exist" does not exist (3D000); create it (npm run migrate does, outside production), or check DATABASE_URL\n`,
    );
  });

  it('says a Redis that wants a password answered but refused (NOAUTH)', async () => {
    const { exited, output } = await preflight({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    expect(exited).toBe(true);
    expect(output).toBe(
      `Redis at 127.0.0.1:${redisPort} answered but refused: NOAUTH Authentication required.; check REDIS_URL\n`,
    );
  });

  it('says a wrong Redis password was refused (WRONGPASS), without the password', async () => {
    const { exited, output } = await preflight({
      REDIS_URL: `redis://:not-the-password-7@127.0.0.1:${redisPort}`,
    });
    expect(exited).toBe(true);
    expect(output).toMatch(
      new RegExp(`^Redis at 127\\.0\\.0\\.1:${redisPort} answered but refused: WRONGPASS .*\n$`),
    );
    expect(output).not.toMatch(/not answering|redis-server --daemonize|not-the-password-7/);
  });

  it('says a PostgreSQL role that does not exist was refused (28000), without the password', async () => {
    const server = new URL(TEST_PG_SERVER);
    server.username = 'jewelshot_no_such_role';
    server.password = 'pg-s3cret-password';
    server.pathname = '/postgres';
    const { exited, output } = await preflight(
      { DATABASE_URL: server.toString() },
      { redis: false },
    );
    expect(exited).toBe(true);
    expect(output).toBe(
      `PostgreSQL at ${server.hostname}:${server.port || '5432'} answered but refused: role "jewelshot_no_such_role" does not exist (28000); check DATABASE_URL\n`,
    );
    expect(output).not.toContain('pg-s3cret-password');
  });

  it('still says "not answering" (and how to start it) when nothing listens', async () => {
    const closed = await freePort();
    const { exited, output } = await preflight({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/postgres`,
      REDIS_URL: `redis://127.0.0.1:${closed}`,
    });
    expect(exited).toBe(true);
    expect(output.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^PostgreSQL is not answering at 127\\.0\\.0\\.1:${closed}: start it with`),
      ),
      expect.stringMatching(
        new RegExp(`^Redis is not answering at 127\\.0\\.0\\.1:${closed}: start it with`),
      ),
      '',
    ]);
  });
});
