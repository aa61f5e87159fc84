// The real worker (apps/worker/src/bootstrap.ts) with the test event subscribers, run as its
// own process by test/integration/events-outbox.e2e-spec.ts (see startWorkerProcess).
import { loadConfigOrExit } from '@jewelshot/platform';
import { createWorker } from '../../apps/worker/src/bootstrap';
import { EventsFixtureModule } from './events-fixture';

void createWorker(loadConfigOrExit(), [EventsFixtureModule]).catch((error: unknown) => {
  process.stderr.write(
    `Worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
