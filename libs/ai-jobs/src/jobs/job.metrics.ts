import { Counter, Histogram } from 'prom-client';
import { metricsRegistry, SLOW_BUCKETS } from '@jewelshot/platform';

/**
 * The AI jobs' families. Labels: operation (OPERATIONS, or `unknown` for an attempt that found
 * no job), outcome (RunOutcome, `retry`, `error`), provider (`local`, `fal`) and the provider's
 * error code (ProviderError codes): all small fixed sets.
 */
export const jobDuration = new Histogram({
  name: 'jewelshot_ai_job_duration_seconds',
  help: 'Submit to end of AI jobs that ended, by operation and outcome',
  labelNames: ['operation', 'outcome'] as const,
  buckets: SLOW_BUCKETS,
  registers: [metricsRegistry],
});

export const attemptDuration = new Histogram({
  name: 'jewelshot_ai_job_attempt_duration_seconds',
  help: 'One worker attempt of an AI job (claim, provider call, settle), by operation and outcome',
  labelNames: ['operation', 'outcome'] as const,
  buckets: SLOW_BUCKETS,
  registers: [metricsRegistry],
});

export const attempts = new Counter({
  name: 'jewelshot_ai_job_attempts_total',
  help: 'Worker attempts of AI jobs, by operation and outcome',
  labelNames: ['operation', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const providerDuration = new Histogram({
  name: 'jewelshot_provider_request_duration_seconds',
  help: 'Calls to the AI provider (submit to result), by provider, operation and outcome',
  labelNames: ['provider', 'operation', 'outcome'] as const,
  buckets: SLOW_BUCKETS,
  registers: [metricsRegistry],
});

export const providerErrors = new Counter({
  name: 'jewelshot_provider_errors_total',
  help: 'Failed calls to the AI provider, by provider and error code',
  labelNames: ['provider', 'code'] as const,
  registers: [metricsRegistry],
});
