import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { createRedis } from '../redis/redis';

/** BullMQ keys live under the deployment's prefix, like every other key we write. */
export function queuePrefix(config: AppConfig): string {
  return `${config.REDIS_KEY_PREFIX}bull`;
}

/**
 * BullMQ's shared connection settings. BullMQ wants no ioredis keyPrefix (it has its own
 * `prefix`) and blocking commands that never give up (`maxRetriesPerRequest: null`).
 */
@Module({})
export class QueueModule {
  static forRoot(connectionName: string): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            connection: createRedis(
              { url: config.REDIS_URL, keyPrefix: '', connectionName: `${connectionName}-bullmq` },
              { maxRetriesPerRequest: null, enableReadyCheck: false },
            ),
            prefix: queuePrefix(config),
          }),
        }),
      ],
      exports: [BullModule],
    };
  }
}
