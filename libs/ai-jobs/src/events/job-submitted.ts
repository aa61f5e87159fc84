import { DomainEvent } from '@jewelshot/platform';

/**
 * A user submitted a single job (published in the transaction that holds its price and inserts
 * it). `promptHash` is the SHA-256 of the normalised prompt (jobs/prompt-hash.ts), never the
 * prompt itself; null for operations without one.
 */
export class JobSubmitted extends DomainEvent<{
  jobId: string;
  userId: string;
  operation: string;
  promptHash: string | null;
  at: string;
}> {
  static readonly eventName = 'ai.job-submitted';
}
