import type { TraceCarrier } from '@jewelshot/platform';
import type { Priority } from './jobs/ai-job.entity';

/**
 * The AI jobs' BullMQ queues and job names. Never rename one: jobs already in Redis under the
 * old name would be orphaned. Payloads carry ids only (and, with tracing on, the trace context); the ai_jobs row is the truth.
 */
export const AI_QUEUE = 'ai-jobs';
export const AI_MAINTENANCE_QUEUE = 'ai-maintenance';

export const AiJobName = {
  Run: 'run',
  Reconcile: 'reconcile',
} as const;

export interface RunJobPayload {
  jobId: string;
  /** The submitting request's trace context, only when tracing is on (docs/observability.md). */
  trace?: TraceCarrier;
}

/** BullMQ priorities: a lower number is taken first. */
export const QUEUE_PRIORITY: Record<Priority, number> = { high: 1, normal: 5, low: 10 };
