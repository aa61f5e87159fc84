// First: starts tracing (when configured) before http, pg and ioredis load.
import './tracing';
import { exitUnlessStoppedWithin, preflightOrExit } from '@jewelshot/platform';
import { loadWorkerConfigOrExit } from './worker.config';
import { createWorker } from './bootstrap';

async function main(): Promise<void> {
  const config = loadWorkerConfigOrExit();
  await preflightOrExit(config);
  // A stop is bounded by WORKER_SHUTDOWN_TIMEOUT_MS: a close waiting on a Redis that is down or
  // hung would otherwise never end, and the process would linger taking no jobs. Set before
  // the worker starts, so that a signal in the moment after it is up is bounded too.
  exitUnlessStoppedWithin({
    who: 'Worker',
    variable: 'WORKER_SHUTDOWN_TIMEOUT_MS',
    ms: config.WORKER_SHUTDOWN_TIMEOUT_MS,
    consequence: 'the jobs it held go back to the queue when their locks lapse',
  });
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
