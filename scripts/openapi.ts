/**
 * Writes openapi.yaml from the code, with no Postgres or Redis needed (the module graph is
 * built in preview mode). With --check, fails instead when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '@jewelshot/platform';
import { loadApiConfig } from '../apps/api/src/api.config';
import { buildOpenApiDocument } from '../apps/api/src/openapi/openapi';
import { createApiApp } from '../apps/api/src/bootstrap';

export const OPENAPI_FILE = join(repoRoot(), 'openapi.yaml');

export async function renderOpenApi(): Promise<string> {
  const app = await createApiApp(loadApiConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent' }), {
    preview: true,
  });
  try {
    return stringify(buildOpenApiDocument(app), { lineWidth: 0, aliasDuplicateObjects: false });
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const fresh = await renderOpenApi();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    if (committed !== fresh) {
      process.stderr.write(
        'openapi.yaml is out of date: run `npm run openapi` and commit the result\n',
      );
      process.exit(1);
    }
    process.stdout.write('openapi.yaml is in sync with the code\n');
    return;
  }
  writeFileSync(OPENAPI_FILE, fresh);
  process.stdout.write('Wrote openapi.yaml\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `openapi failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  });
}
