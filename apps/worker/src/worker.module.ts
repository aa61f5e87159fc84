import { DynamicModule, Module } from '@nestjs/common';
import { IdentityModule } from '@jewelshot/identity';
import { ConfigModule, DatabaseModule, HealthService, LoggingModule, RedisModule, type AppConfig } from '@jewelshot/platform';
import { HeartbeatService } from './heartbeat.service';

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
        IdentityModule,
      ],
      providers: [HeartbeatService, HealthService],
    };
  }
}
