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
  // ...within WORKER_SHUTDOWN_TIMEOUT_MS: a close waiting on a Redis that is down or hung would
  // otherwise never end, and the process would linger taking no jobs.
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(
          `Worker did not stop within WORKER_SHUTDOWN_TIMEOUT_MS (${config.WORKER_SHUTDOWN_TIMEOUT_MS} ms): exiting; the jobs it held go back to the queue when their locks lapse\n`,
        );
        process.exit(1);
      }, config.WORKER_SHUTDOWN_TIMEOUT_MS).unref();
    });
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `Worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
