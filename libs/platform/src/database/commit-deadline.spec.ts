import { CommitDeadline } from './commit-deadline';

const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CommitDeadline', () => {
  it('answers with the work when it ends in time', async () => {
    await expect(
      CommitDeadline.within(200, async (deadline) => {
        await after(10);
        deadline.beforeCommit();
        return 'made';
      }),
    ).resolves.toBe('made');
  });

  it('answers "nothing was done" at the deadline, and the transaction woken later rolls back', async () => {
    let late: unknown = 'not reached';
    const answer = CommitDeadline.within(50, async (deadline) => {
      await after(150);
      try {
        deadline.beforeCommit();
        late = 'committed';
      } catch (error) {
        late = error;
      }
    });
    await expect(answer).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(late).toBe('not reached');
    await after(200);
    expect(late).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('answers "outcome unknown" when the deadline passes with the COMMIT on its way', async () => {
    const answer = CommitDeadline.within(50, async (deadline) => {
      deadline.beforeCommit();
      await after(150);
      return 'committed, later';
    });
    await expect(answer).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { outcome: 'unknown' },
    });
  });
});
