/**
 * The ledger's BullMQ queue and its job names. Never rename one: jobs already in Redis under
 * the old name would be orphaned.
 */
export const LEDGER_QUEUE = 'ledger';

export const LedgerJob = {
  ExpireHolds: 'expire-holds',
} as const;
