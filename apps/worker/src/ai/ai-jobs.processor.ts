import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import {
  AI_QUEUE,
  AiJobName,
  JobRunner,
  RetryableJobError,
  type RunJobPayload,
  type RunOutcome,
} from '@jewelshot/ai-jobs';
import {
  contextFrom,
  isUnavailableError,
  loggableError,
  traced,
  workerErrorWarning,
} from '@jewelshot/platform';
import { type WorkerConfig } from '../worker.config';

/**
 * Runs AI jobs. Concurrency and the stall lock come from config: see aiJobsProcessorFor.
 * A retryable failure is thrown back to BullMQ (exponential backoff); the final one is
 * refunded by the runner, or here when BullMQ gives up after crashes (after an outage's only
 * once the row has no attempts left: until then the reconciler requeues it).
 */
// @Injectable so the constructor's parameter types are emitted; @Processor comes from config below.
@Injectable()
export class AiJobsProcessor extends WorkerHost {
  private readonly logger = new Logger(AiJobsProcessor.name);

  constructor(private readonly runner: JobRunner) {
    super();
  }

  async process(job: Job<RunJobPayload>): Promise<RunOutcome> {
    if (job.name !== AiJobName.Run)
      throw new UnrecoverableError(`${AI_QUEUE} has no handler for ${job.name}`);
    try {
      // A span of the trace the submitting request started (its context rode in the job data).
      return await traced(
        'ai-job.run',
        () =>
          this.runner.run(job.data.jobId, {
            made: job.attemptsMade,
            allowed: job.opts.attempts ?? 1,
          }),
        {
          kind: 'consumer',
          parent: contextFrom(job.data.trace),
          attributes: {
            'messaging.destination.name': AI_QUEUE,
            'jewelshot.attempt': job.attemptsMade + 1,
          },
        },
      );
    } catch (error) {
      if (error instanceof RetryableJobError) throw error;
      this.logger.error(
        { err: loggableError(error), jobId: job.data.jobId },
        'job attempt crashed',
      );
      throw error;
    }
  }

  private readonly warnError = workerErrorWarning(AI_QUEUE, this.logger);

  /**
   * BullMQ's own errors (Redis unreachable, a job's key gone after Redis lost its data): logged
   * now and then. The row is the truth and the reconciler repairs the queue; without a listener
   * BullMQ prints each one to the console.
   */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnError(error);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<RunJobPayload> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const final = error instanceof UnrecoverableError || job.attemptsMade >= attempts;
    if (!final) return;
    // An outage (the database unreachable, not a failure the provider's answer or a bug decided)
    // ends the job only once the row has used its attempts: BullMQ's were spent by crashes that
    // may have let no claim take. Anything else ends it now, refunded: a crash that is not an
    // outage would crash again, and left to the reconciler it would go round forever.
    const ending =
      error instanceof RetryableJobError
        ? this.runner.finish(job.data.jobId, 'failed', error.failure)
        : isUnavailableError(error)
          ? this.runner.endCrashed(job.data.jobId)
          : this.runner.finish(job.data.jobId, 'failed', {
              code: 'INTERNAL_ERROR',
              message: 'The job could not be completed',
            });
    await ending.catch((finishError: unknown) => {
      this.logger.error(
        { err: loggableError(finishError), jobId: job.data.jobId },
        'could not record the final failure; the reconciler will',
      );
    });
  }
}

/**
 * The processor class with its BullMQ worker options from config. @Processor is applied here,
 * at module set-up, because the options are only known once the config is loaded.
 */
export function aiJobsProcessorFor(config: WorkerConfig): typeof AiJobsProcessor {
  Processor(AI_QUEUE, {
    concurrency: config.WORKER_CONCURRENCY,
    // A worker that dies mid-job loses its lock after this; another worker then takes the job.
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_LOCK_MS,
    maxStalledCount: 2,
  })(AiJobsProcessor);
  return AiJobsProcessor;
}
