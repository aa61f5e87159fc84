import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { EVENTS_QUEUE, EventDispatcher, Events } from '@jewelshot/platform';
import { loadConfig, type AppConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import {
  DELIVERIES_TABLE,
  EventsFixtureModule,
  startPublisher,
  TestPinged,
} from '../support/events-fixture';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { startWorkerProcess } from '../support/worker-process';

interface Delivery {
  event_id: string;
  subscriber: string;
  key: string;
}

/** The transactional outbox through the real worker: dispatch, retries, crash recovery. */
describe('domain events (transactional outbox)', () => {
  let env: NodeJS.ProcessEnv;
  let config: AppConfig;
  let db: DataSource;
  let publisher: INestApplicationContext;

  beforeAll(async () => {
    env = {
      REDIS_KEY_PREFIX: suitePrefix('events'),
      EVENTS_POLL_MS: '100',
      EVENTS_BACKOFF_MS: '50',
      EVENTS_LOCK_MS: '1000',
    };
    config = loadConfig({ ...baseTestEnv(), ...env });
    db = await new DataSource({
      type: 'postgres',
      url: config.DATABASE_URL,
      poolSize: 2,
    }).initialize();
    await db.query(DELIVERIES_TABLE);
    publisher = await startPublisher(config);
  });

  afterAll(async () => {
    await publisher.close();
    await db.destroy();
  });

  /** Publishes in a transaction of its own; with `rollBack`, that transaction then fails. */
  async function publish(payload: TestPinged['payload'], rollBack = false): Promise<string | null> {
    const txHost = publisher.get(TransactionHost);
    const events = publisher.get(Events);
    let id: string | null = null;
    try {
      await txHost.withTransaction(async () => {
        id = await events.publish(new TestPinged(payload));
        if (rollBack) throw new Error('roll back');
      });
    } catch (error) {
      if (!rollBack) throw error;
      return null;
    }
    return id;
  }

  async function deliveries(key: string): Promise<Delivery[]> {
    return (await db.query(
      `SELECT event_id, subscriber, key FROM test_event_deliveries WHERE key = $1 ORDER BY n`,
      [key],
    )) as Delivery[];
  }

  /** Waits (no deadline but jest's) until the key's deliveries satisfy `done`. */
  async function waitFor(key: string, done: (rows: Delivery[]) => boolean): Promise<Delivery[]> {
    for (;;) {
      const rows = await deliveries(key);
      if (done(rows)) return rows;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const count = (rows: Delivery[], subscriber: string) =>
    rows.filter((r) => r.subscriber === subscriber).length;

  describe('with a worker in this process', () => {
    let worker: WorkerApp;

    beforeAll(async () => {
      worker = await createWorker(config, [EventsFixtureModule]);
    });

    afterAll(async () => {
      await worker.close();
    });

    it('never delivers an event whose transaction rolled back', async () => {
      const rolledBack = `rolled-back-${randomUUID()}`;
      const committed = `committed-${randomUUID()}`;
      expect(await publish({ key: rolledBack }, true)).toBeNull();
      const id = await publish({ key: committed });

      const rows = await waitFor(committed, (r) => r.length === 3);
      expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set([id]));
      // Published before the committed one: had it been written, it would have gone first.
      expect(await deliveries(rolledBack)).toEqual([]);
      const [outbox] = (await db.query(
        `SELECT count(*)::int AS n FROM domain_events WHERE payload->>'key' = $1`,
        [rolledBack],
      )) as Array<{ n: number }>;
      expect(outbox?.n).toBe(0);
    });

    it('retries a subscriber that throws while the others still run, with one event id', async () => {
      const key = `flaky-${randomUUID()}`;
      const later = `later-${randomUUID()}`;
      const id = await publish({ key, failTimes: 2 });
      await publish({ key: later });

      const rows = await waitFor(key, (r) => count(r, 'test.flaky') === 3);
      expect(count(rows, 'test.flaky')).toBe(3); // two failures, then the success
      await waitFor(key, (r) => count(r, 'test.steady') === 1 && count(r, 'test.hanging') === 1);
      expect(new Set((await deliveries(key)).map((r) => r.event_id))).toEqual(new Set([id]));
      // A later event is not held up by the failing subscriber.
      await waitFor(later, (r) => r.length === 3);
    });

    it('leaves events undispatched while their deliveries cannot be queued, then delivers them in outbox order', async () => {
      const queue = worker.context.get<Queue>(getQueueToken(EVENTS_QUEUE));
      const addBulk = queue.addBulk.bind(queue);
      let refused = 0;
      const queued: string[] = [];
      queue.addBulk = async () => {
        refused += 1;
        throw new Error('Redis refused the deliveries');
      };
      const first = `first-${randomUUID()}`;
      const second = `second-${randomUUID()}`;
      try {
        const firstId = await publish({ key: first });
        const secondId = await publish({ key: second });
        // The notified dispatch and the poll both try, and fail.
        while (refused < 2) await new Promise((resolve) => setTimeout(resolve, 50));
        const marked = (await db.query(
          `SELECT count(*)::int AS n FROM domain_events WHERE id = ANY($1::uuid[]) AND dispatched_at IS NOT NULL`,
          [[firstId, secondId]],
        )) as Array<{ n: number }>;
        expect(marked[0]?.n).toBe(0);
        expect(await deliveries(first)).toEqual([]);

        queue.addBulk = (jobs) => {
          queued.push(...jobs.map((job) => job.data.eventId));
          return addBulk(jobs);
        };
        await waitFor(first, (r) => r.length === 3);
        await waitFor(second, (r) => r.length === 3);
        expect(queued.indexOf(firstId ?? '')).toBeGreaterThanOrEqual(0);
        expect(queued.indexOf(firstId ?? '')).toBeLessThan(queued.indexOf(secondId ?? ''));
      } finally {
        // Back to the prototype's method.
        Reflect.deleteProperty(queue, 'addBulk');
      }
    });

    it('marks delivered events dispatched and prunes them after EVENTS_KEEP_DAYS', async () => {
      const oldKey = `old-${randomUUID()}`;
      const freshKey = `fresh-${randomUUID()}`;
      const oldId = await publish({ key: oldKey });
      const freshId = await publish({ key: freshKey });
      await waitFor(oldKey, (r) => r.length === 3);
      await waitFor(freshKey, (r) => r.length === 3);
      const dispatchedAt = async (id: string | null) =>
        (
          (await db.query(`SELECT dispatched_at FROM domain_events WHERE id = $1`, [id])) as Array<{
            dispatched_at: Date | null;
          }>
        )[0]?.dispatched_at;
      // Dispatch is marked in the transaction that enqueued the deliveries: wait for its commit.
      while (!(await dispatchedAt(oldId)) || !(await dispatchedAt(freshId)))
        await new Promise((resolve) => setTimeout(resolve, 50));

      await db.query(
        `UPDATE domain_events SET dispatched_at = now() - make_interval(days => $2::int + 1) WHERE id = $1`,
        [oldId, config.EVENTS_KEEP_DAYS],
      );
      expect(await worker.context.get(EventDispatcher).prune()).toBeGreaterThanOrEqual(1);
      expect(await dispatchedAt(oldId)).toBeUndefined();
      expect(await dispatchedAt(freshId)).toBeInstanceOf(Date);
    });
  });

  describe('with QUEUE_KEEP_FINISHED at 2', () => {
    let worker: WorkerApp;

    beforeAll(async () => {
      worker = await createWorker(
        loadConfig({
          ...baseTestEnv(),
          ...env,
          REDIS_KEY_PREFIX: suitePrefix('events-keep'),
          QUEUE_KEEP_FINISHED: '2',
        }),
        [EventsFixtureModule],
      );
    });

    afterAll(async () => {
      await worker.close();
    });

    it('keeps at most that many finished deliveries in Redis, completed and failed apart', async () => {
      const queue = worker.context.get<Queue>(getQueueToken(EVENTS_QUEUE));
      const settled = async () => {
        for (;;) {
          const counts = await queue.getJobCounts('active', 'wait', 'delayed', 'prioritized');
          if (Object.values(counts).every((n) => n === 0)) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      // Three events, three subscribers each: nine completed deliveries.
      const keys = [1, 2, 3].map((i) => `kept-${i}-${randomUUID()}`);
      for (const key of keys) await publish({ key });
      for (const key of keys) await waitFor(key, (r) => r.length === 3);
      await settled();
      expect(await queue.getJobCounts('completed')).toEqual({ completed: 2 });

      // Three events whose flaky subscriber never succeeds: three failed deliveries.
      const failing = [1, 2, 3].map((i) => `failing-${i}-${randomUUID()}`);
      for (const key of failing) await publish({ key, failTimes: 99 });
      for (const key of failing) await waitFor(key, (r) => count(r, 'test.flaky') === 5);
      await settled();
      expect(await queue.getJobCounts('failed')).toEqual({ failed: 2 });
    });
  });

  describe('with a worker that polls only once a minute', () => {
    let worker: WorkerApp;

    beforeAll(async () => {
      worker = await createWorker(
        loadConfig({ ...baseTestEnv(), ...env, EVENTS_POLL_MS: '60000' }),
        [EventsFixtureModule],
      );
    });

    afterAll(async () => {
      await worker.close();
    });

    /** Waits for the key's three deliveries, at most `ms`; the rows, or what came by then. */
    async function deliveredWithin(key: string, ms: number): Promise<Delivery[]> {
      const deadline = Date.now() + ms;
      for (;;) {
        const rows = await deliveries(key);
        if (rows.length >= 3 || Date.now() > deadline) return rows;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    it('delivers a committed event when notified, long before the next poll', async () => {
      // The worker's first poll ran at start-up; the next one is a minute away.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const key = `notified-${randomUUID()}`;
      const id = await publish({ key });
      const rows = await deliveredWithin(key, 15_000);
      expect(rows).toHaveLength(3);
      expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set([id]));
    });

    it('listens again after its connection is cut, and catches up on what committed meanwhile', async () => {
      const terminated = (await db.query(
        `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'jewelshot-events-listener'`,
      )) as Array<{ done: boolean }>;
      expect(terminated.length).toBeGreaterThanOrEqual(1);
      // Committed while nobody listens: picked up when the listener is back (about a second).
      const key = `relistened-${randomUUID()}`;
      await publish({ key });
      expect(await deliveredWithin(key, 15_000)).toHaveLength(3);
      const later = `after-relisten-${randomUUID()}`;
      await publish({ key: later });
      expect(await deliveredWithin(later, 15_000)).toHaveLength(3);
    });
  });

  it('delivers after a worker killed mid-delivery restarts, with the same event id', async () => {
    const key = `killed-${randomUUID()}`;
    const whileDown = `while-down-${randomUUID()}`;
    const entry = 'test/support/events-worker-main.ts';
    const first = await startWorkerProcess(env, entry);
    let second: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
    try {
      const id = await publish({ key, hang: true });
      // The hanging subscriber has started its first attempt: kill the worker inside it.
      await waitFor(key, (r) => count(r, 'test.hanging') === 1);
      await first.kill();
      // Published while no worker runs: dispatched after the restart.
      const downId = await publish({ key: whileDown });

      second = await startWorkerProcess(env, entry);
      const rows = await waitFor(key, (r) => count(r, 'test.hanging') === 2);
      expect(rows.filter((r) => r.subscriber === 'test.hanging').map((r) => r.event_id)).toEqual([
        id,
        id,
      ]);
      const down = await waitFor(whileDown, (r) => r.length === 3);
      expect(new Set(down.map((r) => r.event_id))).toEqual(new Set([downId]));
      // Every subscriber got the event (at least once), always under its one id.
      const after = await waitFor(
        key,
        (r) => count(r, 'test.steady') >= 1 && count(r, 'test.flaky') >= 1,
      );
      expect(new Set(after.map((r) => r.event_id))).toEqual(new Set([id]));
    } finally {
      await first.kill().catch(() => undefined);
      await second?.stop();
    }
  });
});
