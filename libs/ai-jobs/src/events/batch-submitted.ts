import { DomainEvent } from '@jewelshot/platform';

/** A user submitted a batch (published in the transaction that creates it with its jobs). */
export class BatchSubmitted extends DomainEvent<{
  batchId: string;
  userId: string;
  operation: string;
  items: number;
  promptHash: string | null;
  at: string;
}> {
  static readonly eventName = 'ai.batch-submitted';
}
