import { Counter } from 'prom-client';
import { metricsRegistry } from '@jewelshot/platform';

/**
 * Emails by the status they reached: `queued`, `rate_limited`, `suppressed` when written,
 * `sent` or `failed` when the worker is done with them.
 */
export const emailsByStatus = new Counter({
  name: 'jewelshot_emails_total',
  help: 'Emails by the status they reached (queued, rate_limited, suppressed when written; sent, failed when done)',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});
