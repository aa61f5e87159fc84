import type { Batch } from '@jewelshot/api-client';
import { Badge } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

export type BatchProgress = Batch['progress'];
export type BatchState = 'running' | 'succeeded' | 'partlyFailed' | 'failed' | 'canceled';

/**
 * How a batch ended, from its items' counts: still running while any item is; canceled when any
 * item was (a cancel stops what has not started); otherwise by how many items failed.
 */
export function batchState(progress: BatchProgress): BatchState {
  const done = progress.succeeded + progress.failed + progress.canceled;
  if (done < progress.total) return 'running';
  if (progress.canceled > 0) return 'canceled';
  if (progress.failed === 0) return 'succeeded';
  return progress.succeeded > 0 ? 'partlyFailed' : 'failed';
}

export const BATCH_COLOR: Record<BatchState, string> = {
  running: 'blue',
  succeeded: 'green',
  partlyFailed: 'orange',
  failed: 'red',
  canceled: 'yellow',
};

export function BatchStateBadge({ progress }: { progress: BatchProgress }) {
  const { t } = useTranslation();
  const state = batchState(progress);
  // A light tint with dark text, as JobStatus: white on mid shades falls short of AA contrast.
  return (
    <Badge variant="light" color={BATCH_COLOR[state]} c="dark.7">
      {t(`batches.state.${state}`)}
    </Badge>
  );
}

/** "3 succeeded, 1 failed, 2 canceled". */
export function batchCounts(t: TFunction, progress: BatchProgress): string {
  return t('batches.counts', {
    succeeded: progress.succeeded,
    failed: progress.failed,
    canceled: progress.canceled,
  });
}

/** Credits given back: the hold of every item that failed or was canceled is voided. */
export function refundedOf(batch: Pick<Batch, 'items'>): number {
  return batch.items
    .filter((job) => job.status === 'failed' || job.status === 'canceled')
    .reduce((sum, job) => sum + job.cost, 0);
}
