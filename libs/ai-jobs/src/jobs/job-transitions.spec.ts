import { JOB_STATUSES, type JobStatus } from './ai-job.entity';
import {
  allows,
  isLastAttempt,
  JOB_TRANSITIONS,
  statusAfter,
  type JobTransition,
} from './job-transitions';

/** The allowed moves, written out by hand: the table in job-transitions.ts must say the same. */
const EXPECTED: Record<JobTransition, Partial<Record<JobStatus, JobStatus>>> = {
  claim: { queued: 'running', running: 'running' },
  succeed: { running: 'succeeded' },
  requeue: { running: 'queued' },
  fail: { queued: 'failed', running: 'failed' },
  cancel: { queued: 'canceled', running: 'canceled' },
  'request-cancel': { queued: 'queued', running: 'running' },
  reconcile: { running: 'queued' },
};

describe('job transitions', () => {
  const cases = (Object.keys(JOB_TRANSITIONS) as JobTransition[]).flatMap((transition) =>
    JOB_STATUSES.map((from) => [transition, from, EXPECTED[transition][from] ?? null] as const),
  );

  it('lists every transition the hand-written table does', () => {
    expect(Object.keys(JOB_TRANSITIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(cases)('%s from %s ends in %s', (transition, from, to) => {
    expect(allows(transition, from)).toBe(to !== null);
    expect(statusAfter(transition, from)).toBe(to);
  });

  it('never moves a job out of a terminal status', () => {
    for (const transition of Object.keys(JOB_TRANSITIONS) as JobTransition[])
      for (const from of ['succeeded', 'failed', 'canceled'] as const)
        expect(allows(transition, from)).toBe(false);
  });
});

describe('isLastAttempt', () => {
  it.each([
    // rowAttempts, maxAttempts, queueAttemptsMade, queueAttempts, last
    [1, 3, 0, 3, false],
    [2, 3, 1, 3, false],
    [3, 3, 2, 3, true], // BullMQ's last attempt
    [3, 3, 0, 3, true], // the row counted every try: a re-enqueued job gets no extra ones
    [1, 3, 0, 1, true], // a queue job with no retries
    [1, 1, 0, 3, true],
  ])(
    'row %i of %i, queue %i made of %i: last = %s',
    (rowAttempts, maxAttempts, queueAttemptsMade, queueAttempts, last) => {
      expect(isLastAttempt({ rowAttempts, maxAttempts, queueAttemptsMade, queueAttempts })).toBe(
        last,
      );
    },
  );
});
