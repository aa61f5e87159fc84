// First: starts tracing (when configured) before http, pg and ioredis load.
import './tracing';
import { preflightOrExit } from '@jewelshot/platform';
import { loadWorkerConfigOrExit } from './worker.config';
import { createWorker } from './bootstrap';

async function main(): Promise<void> {
  const config = loadWorkerConfigOrExit();
  await preflightOrExit(config);
  // enableShutdownHooks() closes the context on SIGTERM/SIGINT: processors finish or hand
  // their jobs back, the heartbeat is withdrawn, connections close.
  await createWorker(config);
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `Worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
