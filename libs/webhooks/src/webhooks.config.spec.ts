import { parseSchedule } from './webhooks.config';

describe('the webhook retry schedule', () => {
  it('reads the Standard Webhooks schedule', () => {
    expect(parseSchedule('5s,5m,30m,2h,5h,10h,10h')).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
  });

  it('reads milliseconds for tests and refuses anything else', () => {
    expect(parseSchedule('100ms, 200ms')).toEqual([100, 200]);
    expect(parseSchedule('5 minutes')).toBeNull();
    expect(parseSchedule('')).toBeNull();
  });
});
