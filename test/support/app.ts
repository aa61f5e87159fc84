import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from './config';
import { createApiApp, type ApiAppOptions } from '../../apps/api/src/bootstrap';
import { baseTestEnv } from './test-env';

export interface TestApi {
  app: NestFastifyApplication;
  config: AppConfig;
  http: () => ReturnType<typeof request>;
  /**
   * The run's database as its superuser sees it: every row, past row-level security, for a
   * test to arrange or inspect state. The app's own DataSource runs as the API's role and so
   * sees nothing outside a RowScope; use this one on purpose instead.
   */
  db: DataSource;
  close: () => Promise<void>;
}

/** The real API (same bootstrap as production) on the run's database and Redis prefix. */
export async function startApi(
  overrides: NodeJS.ProcessEnv = {},
  options: ApiAppOptions = {},
): Promise<TestApi> {
  const config = loadConfig({ ...baseTestEnv(), ...overrides });
  const app = await createApiApp(config, options);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const server = app.getHttpServer();
  const db = await new DataSource({
    type: 'postgres',
    url: config.DATABASE_URL,
    poolSize: 2,
  }).initialize();
  return {
    app,
    config,
    http: () => request(server),
    db,
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}
