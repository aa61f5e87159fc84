// The real worker (apps/worker/src/bootstrap.ts) with the test event subscribers, run as its
// own process by test/integration/events-outbox.e2e-spec.ts (see startWorkerProcess).
import { loadWorkerConfigOrExit } from '../../apps/worker/src/worker.config';
import { createWorker } from '../../apps/worker/src/bootstrap';
import { EventsFixtureModule } from './events-fixture';

void createWorker(loadWorkerConfigOrExit(), [EventsFixtureModule]).catch((error: unknown) => {
  process.stderr.write(
    `Worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
