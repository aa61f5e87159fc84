import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { flushTracing } from './start-tracing';

/** On shutdown, exports the spans still buffered (tracing on), so the last jobs' traces are kept. */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await flushTracing().catch(() => undefined);
  }
}
