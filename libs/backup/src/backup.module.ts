import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import type { S3Connection } from '@jewelshot/platform';
import {
  BACKUP_QUEUE,
  BACKUP_S3_CONNECTION,
  BackupProcessor,
  BackupSchedule,
} from './backup.schedule';

/**
 * The worker's scheduled backups (needs QueueModule, RedisModule and BACKUP_CONFIG). `s3`: how
 * to reach S3 when BACKUP_TARGET=s3 (the app builds it from the S3_* variables).
 */
@Module({})
export class BackupScheduleModule {
  static forRoot(s3: S3Connection): DynamicModule {
    return {
      module: BackupScheduleModule,
      imports: [BullModule.registerQueue({ name: BACKUP_QUEUE })],
      providers: [{ provide: BACKUP_S3_CONNECTION, useValue: s3 }, BackupSchedule, BackupProcessor],
    };
  }
}
