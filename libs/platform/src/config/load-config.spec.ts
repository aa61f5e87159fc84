import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { defineConfig, toInt } from './config-section';
import { ConfigError, loadConfig, sectionsOf } from './load-config';
import { PLATFORM_CONFIG } from './platform.config';

class SampleVariables {
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  SAMPLE_LIMIT = 3;

  @Transform(toInt)
  @IsInt()
  SAMPLE_FLOOR = 1;
}

const sampleConfig = defineConfig({
  name: 'sample',
  variables: SampleVariables,
  check: (config) =>
    config.SAMPLE_FLOOR > config.SAMPLE_LIMIT ? ['SAMPLE_FLOOR: must not exceed SAMPLE_LIMIT'] : [],
});

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it("composes platform's section with the given ones, typed and frozen", () => {
    const config = loadConfig([sampleConfig], { DB_POOL_SIZE: '7', SAMPLE_LIMIT: '5' });
    expect(config.DB_POOL_SIZE).toBe(7);
    expect(config.SAMPLE_LIMIT).toBe(5);
    expect(config.NODE_ENV).toBe('development');
    expect(Object.isFrozen(config)).toBe(true);
    expect(sectionsOf(config).map((s) => s.name)).toEqual(['platform', 'sample']);
    expect(sectionsOf(config)[0].token).toBe(PLATFORM_CONFIG);
  });

  it('names every invalid variable of every section at once', () => {
    const problems = problemsOf(() =>
      loadConfig([sampleConfig], {
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        DB_POOL_SIZE: '0',
        SAMPLE_LIMIT: '99',
      }),
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'LOG_LEVEL', 'DB_POOL_SIZE', 'SAMPLE_LIMIT']),
    );
  });

  it("runs a section's own check and the composer's cross-checks", () => {
    expect(
      problemsOf(() => loadConfig([sampleConfig], { SAMPLE_LIMIT: '2', SAMPLE_FLOOR: '4' })),
    ).toEqual(['SAMPLE_FLOOR: must not exceed SAMPLE_LIMIT']);
    const crossCheck = (config: { SAMPLE_LIMIT: number; DB_POOL_SIZE: number }) =>
      config.SAMPLE_LIMIT > config.DB_POOL_SIZE
        ? ['SAMPLE_LIMIT: must not exceed DB_POOL_SIZE']
        : [];
    expect(
      problemsOf(() =>
        loadConfig([sampleConfig], { SAMPLE_LIMIT: '9', DB_POOL_SIZE: '2' }, [crossCheck]),
      ),
    ).toEqual(['SAMPLE_LIMIT: must not exceed DB_POOL_SIZE']);
  });

  it('accepts no default database or Redis address in production', () => {
    expect(problemsOf(() => loadConfig([], { NODE_ENV: 'production' }))).toEqual([
      'DATABASE_URL: must be set explicitly in production',
      'REDIS_URL: must be set explicitly in production',
    ]);
  });

  it('refuses a variable declared by two sections', () => {
    class Clash {
      SAMPLE_LIMIT = 1;
    }
    const clash = defineConfig({ name: 'clash', variables: Clash });
    expect(() => loadConfig([sampleConfig, clash], {})).toThrow(
      'SAMPLE_LIMIT is declared by both the sample and clash config',
    );
  });
});
