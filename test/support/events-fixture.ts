import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AfterCommit,
  ConfigModule,
  DatabaseModule,
  declareEvents,
  DomainEvent,
  EventsModule,
  type EventContext,
} from '@jewelshot/platform';
import type { AppConfig } from './config';

/**
 * Test-only event and after-commit subscribers (production has no after-commit subscriber
 * yet). Each delivery attempt is recorded in `test_event_deliveries`, so a test sees what
 * was delivered, to whom, how often and with which event id, even across worker processes.
 */
export class TestPinged extends DomainEvent<{ key: string; failTimes?: number; hang?: boolean }> {
  static readonly eventName = 'test.pinged';
}

export const DELIVERIES_TABLE = `
  CREATE TABLE IF NOT EXISTS test_event_deliveries (
    n bigserial PRIMARY KEY,
    event_id uuid NOT NULL,
    subscriber text NOT NULL,
    key text NOT NULL
  )`;

@Injectable()
export class PingSubscribers {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Records this attempt; returns how many attempts this subscriber has had at this event. */
  private async record(subscriber: string, event: TestPinged, context: EventContext) {
    await this.db.query(
      `INSERT INTO test_event_deliveries (event_id, subscriber, key) VALUES ($1, $2, $3)`,
      [context.eventId, subscriber, event.payload.key],
    );
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS attempts FROM test_event_deliveries WHERE event_id = $1 AND subscriber = $2`,
      [context.eventId, subscriber],
    )) as Array<{ attempts: number }>;
    return row?.attempts ?? 0;
  }

  @AfterCommit(TestPinged, { name: 'test.steady' })
  async steady(event: TestPinged, context: EventContext): Promise<void> {
    await this.record('test.steady', event, context);
  }

  /** Throws on its first `failTimes` attempts. */
  @AfterCommit(TestPinged, { name: 'test.flaky', attempts: 5 })
  async flaky(event: TestPinged, context: EventContext): Promise<void> {
    const attempts = await this.record('test.flaky', event, context);
    if (attempts <= (event.payload.failTimes ?? 0)) throw new Error(`flaky attempt ${attempts}`);
  }

  /** With `hang`, never finishes its first attempt (the worker is killed during it). */
  @AfterCommit(TestPinged, { name: 'test.hanging' })
  async hanging(event: TestPinged, context: EventContext): Promise<void> {
    const attempts = await this.record('test.hanging', event, context);
    if (event.payload.hang && attempts === 1) await new Promise<never>(() => undefined);
  }
}

@Module({ imports: [EventsModule], providers: [PingSubscribers, declareEvents([TestPinged])] })
export class EventsFixtureModule {}

/** A process's publishing side only (no dispatcher): what the API or the CLI has. */
export async function startPublisher(config: AppConfig): Promise<INestApplicationContext> {
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot({ applicationName: 'events-test', rowAccess: 'all-users' }),
      EventsFixtureModule,
    ],
  })
  class PublisherModule {}
  return NestFactory.createApplicationContext(PublisherModule, {
    logger: false,
    abortOnError: false,
  });
}
