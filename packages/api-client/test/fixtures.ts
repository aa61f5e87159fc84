import type { Job } from '../src/index.js';

let n = 0;

/**
 * A job as `GET /v1/ai/jobs/{id}` answers it (JobDto), each with an id of its own unless one is
 * given. For the client's tests and its consumers' (`@jewelshot/api-client/testing`).
 */
export function aJob(overrides: Partial<Job> = {}): Job {
  n += 1;
  return {
    id: `0b6f7c1e-0000-4000-8000-${String(n).padStart(12, '0')}`,
    operation: 'remove-background',
    params: {},
    status: 'succeeded',
    priority: 'normal',
    cost: 1,
    attempts: 1,
    cancelRequested: false,
    batchId: null,
    queuedAt: '2026-11-28T09:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    error: null,
    outputs: [],
    ...overrides,
  };
}
