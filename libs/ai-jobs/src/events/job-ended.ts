import { DomainEvent } from '@jewelshot/platform';

/** A job reached its end (published in the transaction that ends it; ids only). */
export class JobEnded extends DomainEvent<{
  jobId: string;
  userId: string;
  status: 'succeeded' | 'failed' | 'canceled';
}> {
  static readonly eventName = 'ai-jobs.job-ended';
}
