import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { CreditLedgerModule, HOLD_ACTIVITY, LEDGER_QUEUE, NOTHING_RUNNING } from '@jewelshot/credit-ledger';
import { IdentityModule } from '@jewelshot/identity';
import {
  ConfigModule,
  DatabaseModule,
  HealthService,
  LoggingModule,
  QueueModule,
  RedisModule,
  type AppConfig,
} from '@jewelshot/platform';
import { HeartbeatService } from './heartbeat.service';
import { HoldSweepProcessor } from './ledger/hold-sweep.processor';

/** The same domain providers as the API, without controllers: processors and schedules. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('worker'),
        DatabaseModule.forRoot({ applicationName: 'jewelshot-worker' }),
        RedisModule.forRoot('worker'),
        QueueModule.forRoot('worker'),
        BullModule.registerQueue({ name: LEDGER_QUEUE }),
        IdentityModule,
        CreditLedgerModule,
      ],
      providers: [
        HeartbeatService,
        HealthService,
        HoldSweepProcessor,
        // No AI jobs yet: nothing can still be working on a hold past its expiry.
        { provide: HOLD_ACTIVITY, useValue: NOTHING_RUNNING },
      ],
    };
  }
}
