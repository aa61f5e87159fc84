import { CommitDeadline } from './commit-deadline';

describe('CommitDeadline', () => {
  it('never passes when nobody says time is up', () => {
    const deadline = new CommitDeadline();
    expect(() => deadline.assertInTime()).not.toThrow();
    expect(() => deadline.beforeCommit()).not.toThrow();
  });

  it('once expired before the COMMIT: "nothing was done", and the work neither starts nor commits', () => {
    const deadline = new CommitDeadline();
    expect(deadline.expire()).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(() => deadline.assertInTime()).toThrow(/nothing was done/);
    expect(() => deadline.beforeCommit()).toThrow(/nothing was done/);
  });

  it('expired with the COMMIT on its way: "outcome unknown", and the COMMIT goes on', () => {
    const deadline = new CommitDeadline();
    deadline.beforeCommit();
    expect(deadline.expire()).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { outcome: 'unknown' },
    });
  });
});
