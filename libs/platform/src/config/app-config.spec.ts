import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../repo-root';
import { ConfigError, EnvironmentVariables, loadConfig } from './app-config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('starts with working local defaults and typed values', () => {
    const config = loadConfig({ PORT: '4000', DB_POOL_SIZE: '7' });
    expect(config.PORT).toBe(4000);
    expect(config.DB_POOL_SIZE).toBe(7);
    expect(config.NODE_ENV).toBe('development');
    expect(config.DATABASE_URL).toMatch(/^postgres:\/\//);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names each invalid variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      DB_POOL_SIZE: '0',
    });
    const named = problems.map((p) => p.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining(['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'DB_POOL_SIZE']),
    );
  });

  it('refuses a short JWT secret', () => {
    expect(problemsOf({ JWT_SECRET: 'short' })).toEqual([expect.stringMatching(/^JWT_SECRET:/)]);
  });

  it('accepts no default secret or address in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^JWT_SECRET: must be set/),
        expect.stringMatching(/^DATABASE_URL: must be set/),
        expect.stringMatching(/^REDIS_URL: must be set/),
      ]),
    );
    const complete = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-real-production-secret-of-enough-length',
      DATABASE_URL: 'postgres://app@db:5432/jewelshot',
      REDIS_URL: 'redis://redis:6379',
    };
    expect(problemsOf(complete)).toEqual([]);
  });

  it('never echoes a secret value in its messages', () => {
    const problems = problemsOf({ JWT_SECRET: 'tooshort-secret-value' });
    expect(problems.join(' ')).not.toContain('tooshort-secret-value');
  });
});

describe('.env.example', () => {
  it('lists exactly the variables the config reads', () => {
    const listed = readFileSync(join(repoRoot(), '.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => line.split('=')[0]);
    expect(listed.sort()).toEqual(Object.keys(new EnvironmentVariables()).sort());
  });
});
