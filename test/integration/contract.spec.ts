import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@jewelshot/platform';
import { migrationDataSource } from '../../migrations/data-source';
import { OPENAPI_FILE, renderOpenApi } from '../../scripts/openapi';

const run = promisify(execFile);

describe('generated artefacts stay in step with the code', () => {
  it('has a committed openapi.yaml identical to a fresh one', async () => {
    const fresh = await renderOpenApi();
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    // On a mismatch, run `npm run openapi` and commit the file.
    expect(committed).toEqual(fresh);
  });

  it('names every API schema class once (Swagger keys schemas by class name and would merge two)', () => {
    const files = (
      readdirSync(join(repoRoot(), 'apps', 'api', 'src'), { recursive: true }) as string[]
    )
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
      .map((file) => join(repoRoot(), 'apps', 'api', 'src', file));
    const where = new Map<string, string[]>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/^export class (\w+Dto)\b/gm)) {
        const name = match[1] ?? '';
        where.set(name, [...(where.get(name) ?? []), file]);
      }
    }
    expect(where.size).toBeGreaterThan(20);
    expect([...where].filter(([, found]) => found.length > 1)).toEqual([]);
  });

  it('has an openapi.yaml that a real OpenAPI validator accepts', async () => {
    const cli = join(repoRoot(), 'node_modules', '.bin', 'redocly');
    const { stdout, stderr } = await run(cli, ['lint', OPENAPI_FILE, '--format=summary'], {
      cwd: repoRoot(),
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`redocly lint failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(`${stdout}${stderr}`).toMatch(/valid/i);
    expect(`${stdout}${stderr}`).not.toMatch(/^error/m);
  });

  it('documents every route with the one error schema', async () => {
    const { parse } = await import('yaml');
    const document = parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
          }
        >
      >;
    };
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const errors = Object.entries(operation.responses).filter(
          ([status]) => Number(status) >= 400,
        );
        expect(errors.length).toBeGreaterThan(0);
        for (const [status, response] of errors) {
          const ref = response.content?.['application/json']?.schema?.$ref;
          if (path.startsWith('/health') && status === '503') continue;
          expect({ route: `${method} ${path} ${status}`, ref }).toEqual({
            route: `${method} ${path} ${status}`,
            ref: '#/components/schemas/ErrorResponseDto',
          });
        }
      }
    }
  });

  it("declares the limiter's headers on every response of every operation but the probes", async () => {
    const { parse } = await import('yaml');
    const document = parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>
      >;
      components: { headers: Record<string, unknown> };
    };
    const limiter = [
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'RateLimit-Policy',
      'RateLimit',
    ];
    expect(Object.keys(document.components.headers)).toEqual(
      expect.arrayContaining([...limiter, 'Retry-After']),
    );
    let checked = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      // Probes and the scrape are never rate-limited (rate-limit.hook.ts).
      if (path.startsWith('/health') || path === '/metrics') continue;
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          // Refused by Node's HTTP parser before any hook (the limiter's included) runs.
          if (status === '431' || status === '408') continue;
          const expected = status === '429' ? [...limiter, 'Retry-After'] : limiter;
          expect({
            route: `${method} ${path} ${status}`,
            headers: Object.keys(response.headers ?? {}),
          }).toEqual({
            route: `${method} ${path} ${status}`,
            headers: expect.arrayContaining(expected),
          });
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('has migrations that match the entities exactly', async () => {
    const url = process.env.JEWELSHOT_TEST_DATABASE_URL;
    if (!url) throw new Error('global setup did not run');
    const dataSource = await migrationDataSource(url).initialize();
    try {
      const pending = await dataSource.showMigrations();
      expect(pending).toBe(false);
      const drift = await dataSource.driver.createSchemaBuilder().log();
      expect(drift.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
