import { Module } from '@nestjs/common';
import { declareEvents } from '@jewelshot/platform';
import { BatchSubmitted } from './batch-submitted';
import { JobSubmitted } from './job-submitted';

/**
 * The events the AI jobs publish, declared on their own: a process that subscribes to them
 * without running jobs (the CLI, through the abuse lib) imports this, not AiJobsModule with
 * its queue.
 */
@Module({ providers: [declareEvents([JobSubmitted, BatchSubmitted])] })
export class AiJobEventsModule {}
