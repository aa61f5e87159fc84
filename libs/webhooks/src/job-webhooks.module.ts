import { Module } from '@nestjs/common';
import { AiJobsModule } from '@jewelshot/ai-jobs';
import { JobWebhooks } from './job-webhooks';
import { WebhooksModule } from './webhooks.module';

/** The jobs' webhook subscribers, for every process with AiJobsModule (API, worker). Needs QueueModule. */
@Module({ imports: [WebhooksModule, AiJobsModule], providers: [JobWebhooks] })
export class JobWebhooksModule {}
