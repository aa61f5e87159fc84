/**
 * npm run events:map — prints every domain event with its subscribers and their kind
 * (in-transaction or after-commit), read from the API's and the worker's module graphs (no
 * database or Redis needed). Exits 1 when the registry would refuse to start.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { catalogueOfModules, formatCatalogue } from '@jewelshot/platform';
import { loadApiConfig } from '../apps/api/src/api.config';
import { loadWorkerConfigOrExit } from '../apps/worker/src/worker.config';
import { ApiModule } from '../apps/api/src/api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';

async function main(): Promise<void> {
  // Building the two module graphs side by side makes TypeORM warn of two default data
  // sources; nothing connects here.
  Logger.overrideLogger(false);
  const env = { ...process.env, LOG_LEVEL: 'silent' };
  const catalogue = await catalogueOfModules([
    ApiModule.forRoot(loadApiConfig(env)),
    WorkerModule.forRoot(loadWorkerConfigOrExit(env)),
  ]);
  process.stdout.write(formatCatalogue(catalogue));
  if (catalogue.errors.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `events:map failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
});
