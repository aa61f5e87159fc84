import type { Logger } from '@nestjs/common';

interface ErrorEmitter {
  readonly name: string;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How often a queue's connection errors are logged while they go on. */
const WARN_INTERVAL_MS = 10_000;

/**
 * Gives a BullMQ queue an `error` listener that logs now and then: without one BullMQ prints
 * every connection error (Redis down, keys lost under a running job) to stderr.
 */
export function warnQueueErrors(queue: ErrorEmitter, logger: Logger): void {
  let lastWarned = 0;
  queue.on('error', (error: Error) => {
    if (Date.now() - lastWarned < WARN_INTERVAL_MS) return;
    lastWarned = Date.now();
    logger.warn(`queue ${queue.name}: ${error.message}`);
  });
}
