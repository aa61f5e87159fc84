import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { PlatformConfig } from '../../config/platform.config';
import { PLATFORM_CONFIG } from '../../config/platform.config';
import { ScheduleRunner } from '../../schedule/schedule-runner';
import { loggableError } from '../../logging/loggable-error';
import { warnQueueErrors } from '../../queue/queue-errors';
import { keepFinished } from '../../queue/queue.module';
import { EventRegistry } from '../event-registry';
import { deliveryJobId, EVENTS_QUEUE, type DeliveryJob } from './events.queue';

export const DISPATCH_EVENTS_SCHEDULE = 'dispatch-events';
export const PRUNE_EVENTS_SCHEDULE = 'prune-events';

const BATCH = 200;

/** The channel the `domain_events` trigger notifies on commit (migration EventsNotify). */
const CHANNEL = 'domain_events';

/** Waits before listening again after the listening connection is lost. */
const RELISTEN_MS = [1000, 2000, 5000, 10_000];

interface OutboxRow {
  seq: string;
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

/**
 * The worker's side of the outbox. Every EVENTS_POLL_MS it takes the committed, undispatched
 * events in outbox order (undispatched rows, not a high-water mark: a transaction that commits
 * late with a lower sequence number is still picked up), marks them dispatched and adds one
 * BullMQ job per (event, after-commit subscriber) with a deterministic job id, in one short
 * transaction that locks the rows it takes (SKIP LOCKED: two workers never take the same
 * rows). Events this worker does not know (published by a newer version) are left for one
 * that does. A failed add rolls the marks back; a crash after the add and before the commit
 * dispatches the events again, and BullMQ ignores a job id it already holds. Dispatched events
 * are deleted after EVENTS_KEEP_DAYS.
 *
 * It does not wait for the poll when it can help it: a connection of its own LISTENs on the
 * channel the outbox's trigger notifies when events commit, and a notification dispatches at
 * once (notifications arriving during a dispatch make one more pass after it, so a burst costs
 * a few passes, not one each). The poll stays as the safety net: a lost connection (listened
 * again after a pause) or a missed notification delays events by EVENTS_POLL_MS at most.
 */
@Injectable()
export class EventDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventDispatcher.name);
  private listener: Client | null = null;
  private stopped = false;
  private relistens = 0;
  /** This process's notified dispatch in progress, and whether another pass is owed after it. */
  private woken: Promise<void> | null = null;
  private again = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(EVENTS_QUEUE) private readonly queue: Queue<DeliveryJob>,
    private readonly registry: EventRegistry,
    private readonly runner: ScheduleRunner,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {
    warnQueueErrors(queue, this.logger);
  }

  onApplicationBootstrap(): void {
    this.runner.every(DISPATCH_EVENTS_SCHEDULE, this.config.EVENTS_POLL_MS, () => this.dispatch());
    this.runner.every(PRUNE_EVENTS_SCHEDULE, 3_600_000, () => this.prune());
    void this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.woken;
  }

  /** LISTENs on the outbox's channel; on any loss, listens again after a pause. */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.config.DATABASE_URL,
      connectionTimeoutMillis: 5000,
      application_name: 'jewelshot-events-listener',
    });
    let lost = false;
    const relisten = (error?: unknown) => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = null;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      const delay = RELISTEN_MS[Math.min(this.relistens, RELISTEN_MS.length - 1)] ?? 10_000;
      this.relistens += 1;
      if (this.relistens === 1)
        this.logger.warn(
          { err: loggableError(error) },
          `outbox notifications lost: dispatching every ${this.config.EVENTS_POLL_MS} ms until they are back`,
        );
      setTimeout(() => void this.listen(), delay).unref();
    };
    client.on('error', relisten);
    client.on('end', () => relisten(new Error('connection ended')));
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      relisten(error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    if (this.relistens > 0) this.logger.log('outbox notifications back');
    this.relistens = 0;
    // Events committed while nobody listened.
    this.wake();
  }

  /** Dispatches now, or once more after the dispatch in progress. */
  private wake(): void {
    if (this.stopped) return;
    if (this.woken) {
      this.again = true;
      return;
    }
    this.woken = (async () => {
      do {
        this.again = false;
        try {
          await this.dispatch();
        } catch (error) {
          // The poll tries again; nothing is lost (the rows stay undispatched).
          this.logger.warn({ err: loggableError(error) }, 'notified dispatch failed');
          return;
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.woken = null));
  }

  /** Dispatches every committed event waiting now; returns how many. */
  async dispatch(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.dispatchBatch();
      total += count;
      if (count < BATCH) return total;
    }
  }

  /**
   * One statement takes and marks the batch (the rows stay locked until the commit), then the
   * deliveries are added; a failed add rolls the marks back, so the events wait for the next
   * pass. RETURNING gives no order: the deliveries are added in outbox order.
   */
  private dispatchBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE domain_events SET dispatched_at = now()
          WHERE seq IN (SELECT seq FROM domain_events
                         WHERE dispatched_at IS NULL AND name = ANY($2::varchar[])
                         ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING seq, id, name, payload`,
        [BATCH, this.registry.eventNames()],
      )) as [OutboxRow[], number];
      if (rows.length === 0) return 0;
      rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      const jobs = [];
      for (const row of rows) {
        for (const subscriber of this.registry.subscribers(row.name, 'after-commit'))
          jobs.push({
            name: row.name,
            data: {
              eventId: row.id,
              event: row.name,
              payload: row.payload,
              subscriber: subscriber.name,
            },
            opts: {
              jobId: deliveryJobId(row.id, subscriber.name),
              attempts: subscriber.attempts,
              backoff: { type: 'exponential', delay: this.config.EVENTS_BACKOFF_MS },
              ...keepFinished(this.config, this.config.EVENTS_KEEP_DAYS * 86400),
            },
          });
      }
      if (jobs.length > 0) await this.queue.addBulk(jobs);
      return rows.length;
    });
  }

  /** Deletes the events dispatched more than EVENTS_KEEP_DAYS ago. */
  async prune(): Promise<number> {
    const [, affected] = (await this.dataSource.query(
      `DELETE FROM domain_events
        WHERE dispatched_at < now() - make_interval(days => $1::int)`,
      [this.config.EVENTS_KEEP_DAYS],
    )) as [unknown, number];
    if (affected > 0) this.logger.log(`pruned ${affected} dispatched event(s)`);
    return affected;
  }
}
