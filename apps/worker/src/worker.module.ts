import { DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BullModule } from '@nestjs/bullmq';
import { AbuseModule } from '@jewelshot/abuse';
import { AiRunnerModule, s3ConnectionOf } from '@jewelshot/ai-jobs';
import { AuditModule } from '@jewelshot/audit';
import { BackupScheduleModule } from '@jewelshot/backup';
import { CreditLedgerModule, LEDGER_QUEUE } from '@jewelshot/credit-ledger';
import { EMAIL_QUEUE, EmailModule } from '@jewelshot/email';
import { IdentityModule } from '@jewelshot/identity';
import { WebhookDeliveryModule } from '@jewelshot/webhooks';
import {
  ConfigModule,
  DatabaseModule,
  EventsDispatchModule,
  HealthService,
  LoggingModule,
  MetricsModule,
  QueueModule,
  RedisModule,
  SchedulesModule,
} from '@jewelshot/platform';
import { type WorkerConfig } from './worker.config';
import { HeartbeatService } from './heartbeat.service';
import { QueueDrain } from './queue-drain.service';
import { aiJobsProcessorFor } from './ai/ai-jobs.processor';
import { emailProcessorFor } from './email/email.processor';
import { webhooksProcessorFor } from './webhooks/webhooks.processor';
import { MaintenanceSchedules } from './maintenance/maintenance.schedules';
import { RetiredSchedulers } from './maintenance/retired-schedulers';

/** The same domain providers as the API, without controllers: processors and the maintenance schedules. */
@Module({})
export class WorkerModule {
  /** `extraImports`: more modules for the same process (tests add their event subscribers). */
  static forRoot(
    config: WorkerConfig,
    extraImports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DiscoveryModule,
        LoggingModule.forRoot('worker'),
        DatabaseModule.forRoot({ applicationName: 'jewelshot-worker', rowAccess: 'all-users' }),
        RedisModule.forRoot('worker'),
        QueueModule.forRoot('worker'),
        MetricsModule,
        BullModule.registerQueue({ name: LEDGER_QUEUE }, { name: EMAIL_QUEUE }),
        AuditModule,
        EmailModule,
        IdentityModule,
        CreditLedgerModule,
        AiRunnerModule,
        WebhookDeliveryModule,
        AbuseModule,
        SchedulesModule,
        BackupScheduleModule.forRoot(s3ConnectionOf(config)),
        EventsDispatchModule.forRoot(config),
        ...extraImports,
      ],
      providers: [
        QueueDrain,
        HeartbeatService,
        HealthService,
        aiJobsProcessorFor(config),
        emailProcessorFor(config),
        webhooksProcessorFor(config),
        MaintenanceSchedules,
        RetiredSchedulers,
      ],
    };
  }
}
