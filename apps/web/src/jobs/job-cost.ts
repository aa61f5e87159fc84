import type { Job } from '@jewelshot/api-client';
import { useTranslation } from 'react-i18next';
import { useCredits } from '../components/credits-text';

/**
 * A job's cost as the seller's balance sees it: charged once it succeeded, held while it runs,
 * refunded when it failed or was canceled (the hold is voided, nothing is charged).
 */
export function useJobCost() {
  const { t } = useTranslation();
  const credits = useCredits();
  return (job: Pick<Job, 'cost' | 'status'>): string => {
    const amount = credits(job.cost);
    switch (job.status) {
      case 'succeeded':
        return amount;
      case 'failed':
      case 'canceled':
        return t('job.costRefunded', { amount });
      default:
        return t('job.costReserved', { amount });
    }
  };
}
