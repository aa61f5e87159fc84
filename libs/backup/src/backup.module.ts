import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { BACKUP_QUEUE, BackupProcessor, BackupSchedule } from './backup.schedule';

/** The worker's scheduled backups (needs QueueModule, RedisModule and BACKUP_CONFIG). */
@Module({
  imports: [BullModule.registerQueue({ name: BACKUP_QUEUE })],
  providers: [BackupSchedule, BackupProcessor],
})
export class BackupScheduleModule {}
