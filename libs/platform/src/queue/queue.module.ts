import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import type { KeepJobs } from 'bullmq';
import { PLATFORM_CONFIG, type PlatformConfig } from '../config/platform.config';

/** BullMQ keys live under the deployment's prefix, like every other key we write. */
export function queuePrefix(config: PlatformConfig): string {
  return `${config.REDIS_KEY_PREFIX}bull`;
}

/**
 * How long a queue's finished jobs stay in Redis: `ageSeconds` at most, and never more than
 * QUEUE_KEEP_FINISHED of each (BullMQ trims the oldest as jobs finish). Every job added gets it.
 */
export function keepFinished(
  config: Pick<PlatformConfig, 'QUEUE_KEEP_FINISHED'>,
  ageSeconds: number,
): { removeOnComplete: KeepJobs; removeOnFail: KeepJobs } {
  const keep = { age: ageSeconds, count: config.QUEUE_KEEP_FINISHED };
  return { removeOnComplete: keep, removeOnFail: keep };
}

/** BullMQ's shared connection settings for every queue and worker of the process. */
@Module({})
export class QueueModule {
  static forRoot(connectionName: string): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [PLATFORM_CONFIG],
          useFactory: (config: PlatformConfig) => ({
            // Options, not a client: BullMQ then opens and closes its connections itself.
            connection: {
              url: config.REDIS_URL,
              connectionName: `${connectionName}-bullmq`,
              maxRetriesPerRequest: null,
              retryStrategy: (times: number) => Math.min(times * 200, 2000),
            },
            prefix: queuePrefix(config),
          }),
        }),
      ],
      exports: [BullModule],
    };
  }
}
