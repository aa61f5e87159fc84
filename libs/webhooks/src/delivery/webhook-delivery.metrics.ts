import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@jewelshot/platform';
import type { PostOutcome } from './http-post';

/**
 * How one delivery attempt ended: `succeeded` (a 2xx answer), `failed` (any other answer,
 * redirects included), `timeout` (no answer within WEBHOOK_TIMEOUT_MS), `unreachable` (no
 * answer: connection refused or reset, TLS error) or `refused` (the address policy refused
 * the URL; nothing was sent). A fixed set: never an endpoint id, URL or address.
 */
export const ATTEMPT_OUTCOMES = [
  'succeeded',
  'failed',
  'timeout',
  'unreachable',
  'refused',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** Seconds: receivers answer in tens of milliseconds to seconds; WEBHOOK_TIMEOUT_MS is at most 60 s. */
const DELIVERY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const deliveries = new Counter({
  name: 'jewelshot_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

const deliveryDuration = new Histogram({
  name: 'jewelshot_webhook_delivery_duration_seconds',
  help: 'One webhook delivery attempt (address check and POST), by outcome',
  labelNames: ['outcome'] as const,
  buckets: DELIVERY_BUCKETS,
  registers: [metricsRegistry],
});

// Every outcome is exported from the start, at zero: a rate over a series that appears only
// with its first failure misses that failure.
for (const outcome of ATTEMPT_OUTCOMES) {
  deliveries.inc({ outcome }, 0);
  deliveryDuration.zero({ outcome });
}

/** The outcome of an attempt that reached `postTo`. */
export function attemptOutcome(outcome: PostOutcome): AttemptOutcome {
  if (outcome.status !== null)
    return outcome.status >= 200 && outcome.status < 300 ? 'succeeded' : 'failed';
  return outcome.timedOut ? 'timeout' : 'unreachable';
}

export function recordAttempt(outcome: AttemptOutcome, seconds: number): void {
  deliveries.inc({ outcome });
  deliveryDuration.observe({ outcome }, seconds);
}
