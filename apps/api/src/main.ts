// First: starts tracing (when configured) before http, pg and ioredis load.
import './tracing';
import { preflightOrExit } from '@jewelshot/platform';
import { loadApiConfigOrExit } from './api.config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadApiConfigOrExit();
  await preflightOrExit(config);
  const app = await createApiApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `API failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
