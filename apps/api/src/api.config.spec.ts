import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, repoRoot } from '@jewelshot/platform';
import { loadApiConfig } from './api.config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadApiConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('starts with working local defaults and typed values', () => {
    const config = loadApiConfig({ PORT: '4000', DB_POOL_SIZE: '7' });
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
        expect.stringMatching(/^EMAIL_TOKEN_SECRET: must be set/),
        expect.stringMatching(/^APP_BASE_URL: must be set/),
        expect.stringMatching(/^PUBLIC_BASE_URL: must be set/),
        expect.stringMatching(/^WEBHOOK_SECRET_KEY: must be set/),
        expect.stringMatching(/^AUDIT_CHAIN_KEY: must be set/),
      ]),
    );
    // One line for each: an unset secret is not also "the development default".
    expect(problems.filter((problem) => problem.startsWith('JWT_SECRET'))).toHaveLength(1);
    const complete = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-real-production-secret-of-enough-length',
      DATABASE_URL: 'postgres://app@db:5432/jewelshot',
      REDIS_URL: 'redis://redis:6379',
      EMAIL_TOKEN_SECRET: 'a-real-unsubscribe-signing-key-of-enough-length',
      APP_BASE_URL: 'https://app.jewelshot.example',
      PUBLIC_BASE_URL: 'https://api.jewelshot.example',
      WEBHOOK_SECRET_KEY: 'a-real-webhook-secret-sealing-key-of-enough-length',
      AUDIT_CHAIN_KEY: 'a-real-audit-chain-sealing-key-of-enough-length',
    };
    expect(problemsOf(complete)).toEqual([]);
    expect(problemsOf({ ...complete, WEBHOOK_ALLOW_PRIVATE: 'true' })).toEqual([
      expect.stringMatching(/^WEBHOOK_ALLOW_PRIVATE: must not be true in production/),
    ]);
  });

  it("refuses .env.example's development secrets in production, each in one line that says so", () => {
    const example = Object.fromEntries(
      readFileSync(join(repoRoot(), '.env.example'), 'utf8')
        .split('\n')
        .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1], match[2]]),
    );
    const secrets = ['JWT_SECRET', 'EMAIL_TOKEN_SECRET', 'WEBHOOK_SECRET_KEY', 'AUDIT_CHAIN_KEY'];
    const problems = problemsOf({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app@db:5432/jewelshot',
      REDIS_URL: 'redis://redis:6379',
      APP_BASE_URL: 'https://app.jewelshot.example',
      PUBLIC_BASE_URL: 'https://api.jewelshot.example',
      ...Object.fromEntries(secrets.map((name) => [name, example[name]])),
    });
    // JWT_SECRET is left empty there (unset: it must be set); the others hold development values.
    expect(problems.sort()).toEqual(
      secrets
        .map((name) =>
          example[name]
            ? `${name}: the development default is refused in production`
            : `${name}: must be set explicitly in production`,
        )
        .sort(),
    );
    expect(secrets.filter((name) => example[name])).toHaveLength(3);
    // Nor as a previous key of the audit chain: whoever reads .env.example holds it.
    expect(
      problemsOf({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://app@db:5432/jewelshot',
        REDIS_URL: 'redis://redis:6379',
        APP_BASE_URL: 'https://app.jewelshot.example',
        PUBLIC_BASE_URL: 'https://api.jewelshot.example',
        JWT_SECRET: 'a-real-production-secret-of-enough-length',
        EMAIL_TOKEN_SECRET: 'a-real-unsubscribe-signing-key-of-enough-length',
        WEBHOOK_SECRET_KEY: 'a-real-webhook-secret-sealing-key-of-enough-length',
        AUDIT_CHAIN_KEY: 'a-real-audit-chain-sealing-key-of-enough-length',
        AUDIT_CHAIN_PREVIOUS_KEYS: `an-older-real-audit-chain-key-of-enough-length,${example.AUDIT_CHAIN_KEY}`,
      }),
    ).toEqual(['AUDIT_CHAIN_PREVIOUS_KEYS: the development key is refused in production']);
  });

  it('never echoes a secret value in its messages', () => {
    const problems = problemsOf({ JWT_SECRET: 'tooshort-secret-value' });
    expect(problems.join(' ')).not.toContain('tooshort-secret-value');
  });
});

describe('the API config across sections', () => {
  it('refuses S3 storage without a bucket, fal without a key, and a starved thread pool', () => {
    expect(problemsOf({ STORAGE_DRIVER: 's3', S3_REGION: 'eu-west-1' })).toEqual([
      'S3_BUCKET: required when STORAGE_DRIVER=s3',
    ]);
    expect(problemsOf({ AI_PROVIDER: 'fal' })).toEqual(['FAL_KEY: required when AI_PROVIDER=fal']);
    expect(
      problemsOf({
        UV_THREADPOOL_SIZE: '4',
        PASSWORD_HASH_CONCURRENCY: '2',
        IMAGE_CONCURRENCY: '2',
      }),
    ).toEqual([expect.stringMatching(/^UV_THREADPOOL_SIZE: must exceed/)]);
  });

  it('refuses a request deadline the idle timeout would cut off before it answers', () => {
    expect(problemsOf({ REQUEST_DEADLINE_MS: '30000', HTTP_IDLE_TIMEOUT_MS: '30000' })).toEqual([
      expect.stringMatching(/^REQUEST_DEADLINE_MS: must be below HTTP_IDLE_TIMEOUT_MS/),
    ]);
    expect(problemsOf({ REQUEST_DEADLINE_MS: '29999', HTTP_IDLE_TIMEOUT_MS: '30000' })).toEqual([]);
  });

  it('refuses SUBMIT_DEADLINE_MS, renamed, rather than ignore it', () => {
    expect(problemsOf({ SUBMIT_DEADLINE_MS: '5000' })).toEqual([
      'SUBMIT_DEADLINE_MS: renamed REQUEST_DEADLINE_MS (it times reads too); set that instead',
    ]);
  });
});
