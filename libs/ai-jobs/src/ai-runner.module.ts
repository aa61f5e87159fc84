import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { CreditLedgerModule, HOLD_ACTIVITY } from '@jewelshot/credit-ledger';
import { EmailModule } from '@jewelshot/email';
import { IdentityModule } from '@jewelshot/identity';
import { aiProviderOf, AI_JOBS_CONFIG, type AiJobsConfig } from './ai-jobs.config';
import { AiJobsModule } from './ai-jobs.module';
import { AI_MAINTENANCE_QUEUE } from './ai.queue';
import { AI_PROVIDER, type AiProvider } from './providers/ai-provider';
import { FalProvider } from './providers/fal.provider';
import { LocalProvider } from './providers/local.provider';
import { JobHoldActivity } from './jobs/job-hold-activity';
import { JobRunner } from './jobs/job-runner';
import { Reconciler } from './jobs/reconciler';
import { OrphanFiles } from './files/orphan-files';

export function providerFor(config: AiJobsConfig): AiProvider {
  if (aiProviderOf(config) === 'fal') {
    return new FalProvider({
      key: config.FAL_KEY ?? '',
      models: {
        generate: config.FAL_MODEL_GENERATE,
        edit: config.FAL_MODEL_EDIT,
        'remove-background': config.FAL_MODEL_REMOVE_BACKGROUND,
        upscale: config.FAL_MODEL_UPSCALE,
      },
      pollIntervalMs: config.FAL_POLL_INTERVAL_MS,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
      queueBaseUrl: config.FAL_QUEUE_BASE_URL,
    });
  }
  return new LocalProvider({
    latencyMs: config.LOCAL_PROVIDER_LATENCY_MS,
    failureRate: config.LOCAL_PROVIDER_FAILURE_RATE,
    maxPixels: config.IMAGE_MAX_PIXELS,
    imageConcurrency: config.IMAGE_CONCURRENCY,
  });
}

/** What only the worker needs: the provider, the runner, the reconciler and the orphan sweep. */
@Module({
  imports: [
    AiJobsModule,
    CreditLedgerModule,
    EmailModule,
    IdentityModule,
    BullModule.registerQueue({ name: AI_MAINTENANCE_QUEUE }),
  ],
  providers: [
    { provide: AI_PROVIDER, inject: [AI_JOBS_CONFIG], useFactory: providerFor },
    { provide: HOLD_ACTIVITY, useExisting: JobHoldActivity },
    JobRunner,
    Reconciler,
    OrphanFiles,
  ],
  exports: [
    JobRunner,
    Reconciler,
    OrphanFiles,
    HOLD_ACTIVITY,
    AI_PROVIDER,
    AiJobsModule,
    BullModule,
  ],
})
export class AiRunnerModule {}
