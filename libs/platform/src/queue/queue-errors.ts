import type { Logger } from '@nestjs/common';

interface ErrorEmitter {
  readonly name: string;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How often errors that go on (Redis down, keys lost) are logged while they last. */
const WARN_INTERVAL_MS = 10_000;

/**
 * A warning said at most once every `intervalMs`, however often it happens: for conditions that
 * repeat on every request or poll while they last (Redis away), so the log says it without
 * being flooded. One function per condition; a flapping condition is not said once per flap.
 */
export function throttledWarn(
  logger: Pick<Logger, 'warn'>,
  intervalMs = WARN_INTERVAL_MS,
): (message: string) => void {
  let lastWarned = Number.NEGATIVE_INFINITY;
  return (message) => {
    const now = Date.now();
    if (now - lastWarned < intervalMs) return;
    lastWarned = now;
    logger.warn(message);
  };
}

/**
 * Gives a BullMQ queue an `error` listener that logs now and then: without one BullMQ prints
 * every connection error (Redis down, keys lost under a running job) to stderr.
 */
export function warnQueueErrors(queue: ErrorEmitter, logger: Pick<Logger, 'warn'>): void {
  const warn = throttledWarn(logger);
  queue.on('error', (error: Error) => warn(`queue ${queue.name}: ${error.message}`));
}

/**
 * The same for a BullMQ worker, from its processor's `@OnWorkerEvent('error')` (the worker is
 * made by @nestjs/bullmq): `onError = workerErrorWarning(QUEUE, this.logger)`.
 */
export function workerErrorWarning(
  queueName: string,
  logger: Pick<Logger, 'warn'>,
): (error: Error) => void {
  const warn = throttledWarn(logger);
  return (error) => warn(`queue ${queueName} worker: ${error.message}`);
}
