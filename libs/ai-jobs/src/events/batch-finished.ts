import { DomainEvent } from '@jewelshot/platform';

/** The last open job of a batch ended (published in that job's ending transaction, once). */
export class BatchFinished extends DomainEvent<{
  batchId: string;
  userId: string;
  total: number;
  succeeded: number;
  failed: number;
  canceled: number;
}> {
  static readonly eventName = 'ai-jobs.batch-finished';
}
