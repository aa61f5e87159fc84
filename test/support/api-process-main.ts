// The real API (apps/api/src/bootstrap.ts, as apps/api/src/main.ts starts it, without the
// preflight the test database has passed already) as a process of its own, for tests that need
// two API processes (see startWorkerProcess, which waits for the line below).
// As main.ts: tracing first (when OTEL_EXPORTER_OTLP_ENDPOINT is set).
import '../../apps/api/src/tracing';
import { exitUnlessStoppedWithin } from '@jewelshot/platform';
import { apiShutdownDeadline, loadApiConfigOrExit } from '../../apps/api/src/api.config';
import { createApiApp } from '../../apps/api/src/bootstrap';

async function main(): Promise<void> {
  const config = loadApiConfigOrExit();
  const app = await createApiApp(config);
  await app.listen({ port: config.PORT, host: '127.0.0.1' });
  exitUnlessStoppedWithin(apiShutdownDeadline(config));
  process.stdout.write(`API is up on port ${config.PORT}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `API failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
