import { Queue } from 'bullmq';
import { LedgerService, LedgerVerifier } from '@jewelshot/credit-ledger';
import { AI_QUEUE } from '@jewelshot/ai-jobs';
import { RowScope } from '@jewelshot/platform';
import type { TestApi } from './app';
import { bearer, type TestUser } from './factories';

/** Gives a user credits through the ledger, in that user's row scope (as the API would). */
export async function fund(api: TestApi, user: TestUser, credits: number): Promise<void> {
  const reference = `test-fund:${user.id}:${Date.now()}:${Math.random()}`;
  await api.app
    .get(RowScope)
    .run(user.id, () =>
      api.app.get(LedgerService).grant(user.id, credits, reference, 'test credits'),
    );
}

export async function upload(api: TestApi, user: TestUser, bytes: Buffer, filename = 'photo.png') {
  return api
    .http()
    .post('/v1/uploads')
    .set(...bearer(user.accessToken))
    .attach('file', bytes, filename);
}

export async function submit(api: TestApi, user: TestUser, body: object, key?: string) {
  const request = api
    .http()
    .post('/v1/ai/jobs')
    .set(...bearer(user.accessToken));
  if (key) request.set('Idempotency-Key', key);
  return request.send(body);
}

export interface JobRow {
  id: string;
  status: string;
  hold_status: string;
  cost: number;
  attempts: number;
  started_at: Date | null;
  priority: string;
}

export async function jobRows(api: TestApi, ids: string[]): Promise<JobRow[]> {
  return api.db.query(
    `SELECT j.id, j.status, h.status AS hold_status, j.cost, j.attempts, j.started_at, j.priority
       FROM ai_jobs j JOIN credit_holds h ON h.id = j.hold_id WHERE j.id = ANY($1::uuid[])`,
    [ids],
  );
}

/** Waits until every job is terminal (or the time is up) and returns their rows. */
export async function waitTerminal(
  api: TestApi,
  ids: string[],
  timeoutMs = 60_000,
): Promise<JobRow[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await jobRows(api, ids);
    if (rows.every((row) => ['succeeded', 'failed', 'canceled'].includes(row.status))) return rows;
    if (Date.now() > until) {
      throw new Error(
        `jobs not terminal after ${timeoutMs} ms: ${JSON.stringify(rows.filter((r) => !['succeeded', 'failed', 'canceled'].includes(r.status)))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function expectLedgerClean(api: TestApi): Promise<void> {
  const report = await api.app.get(LedgerVerifier).verify();
  if (report.violations.length > 0)
    throw new Error(`ledger violations: ${JSON.stringify(report.violations, null, 2)}`);
}

/** The BullMQ queue as the suite's apps see it (same prefix). */
export function aiQueue(api: TestApi): Queue {
  return new Queue(AI_QUEUE, {
    connection: { url: api.config.REDIS_URL },
    prefix: `${api.config.REDIS_KEY_PREFIX}bull`,
  });
}
