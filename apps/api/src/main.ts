// First: starts tracing (when configured) before http, pg and ioredis load.
import './tracing';
import { exitUnlessStoppedWithin, preflightOrExit } from '@jewelshot/platform';
import { apiShutdownDeadline, loadApiConfigOrExit } from './api.config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadApiConfigOrExit();
  await preflightOrExit(config);
  const app = await createApiApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
  // enableShutdownHooks() stops it gracefully on SIGTERM/SIGINT, within this.
  exitUnlessStoppedWithin(apiShutdownDeadline(config));
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `API failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
