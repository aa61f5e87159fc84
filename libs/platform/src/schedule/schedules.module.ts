import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ScheduleRun } from './schedule-run.entity';
import { ScheduleRunner } from './schedule-runner';

export const PLATFORM_ENTITIES = [ScheduleRun];

/** The maintenance schedules' runner (the worker uses it) and their run records (health reads them). */
@Module({
  imports: [TypeOrmModule.forFeature(PLATFORM_ENTITIES)],
  providers: [ScheduleRunner],
  exports: [ScheduleRunner],
})
export class SchedulesModule {}

/** The reconciler's schedule: /health reads its last run. */
export const RECONCILE_SCHEDULE = 'reconcile';
