import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig, type AppConfig } from '@jewelshot/platform';
import { createApiApp, type ApiAppOptions } from '../../apps/api/src/bootstrap';
import { baseTestEnv } from './test-env';

export interface TestApi {
  app: NestFastifyApplication;
  config: AppConfig;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/** The real API (same bootstrap as production) on the run's database and Redis prefix. */
export async function startApi(overrides: NodeJS.ProcessEnv = {}, options: ApiAppOptions = {}): Promise<TestApi> {
  const config = loadConfig({ ...baseTestEnv(), ...overrides });
  const app = await createApiApp(config, options);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const server = app.getHttpServer();
  return {
    app,
    config,
    http: () => request(server),
    close: () => app.close(),
  };
}
