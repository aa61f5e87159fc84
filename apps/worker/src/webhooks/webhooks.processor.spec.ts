import { parseSchedule, WEBHOOK_BACKOFF } from '@jewelshot/webhooks';
import { webhookBackoff } from './webhooks.processor';

describe('the webhook retry backoff', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the 1st to 7th failed attempt', () => {
    const backoff = webhookBackoff(parseSchedule('5s,5m,30m,2h,5h,10h,10h') ?? []);
    expect([1, 2, 3, 4, 5, 6, 7].map((made) => backoff(made, WEBHOOK_BACKOFF))).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
  });

  it('keeps the last wait past the end of the schedule', () => {
    expect(webhookBackoff([100, 200])(5, WEBHOOK_BACKOFF)).toBe(200);
  });
});
