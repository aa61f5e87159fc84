import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  PLATFORM_CONFIG,
  traceCarrier,
  traced,
  warnQueueErrors,
  type PlatformConfig,
} from '@jewelshot/platform';
import { AI_JOBS_CONFIG, type AiJobsConfig } from '../ai-jobs.config';
import { AI_QUEUE, AiJobName, QUEUE_PRIORITY, type RunJobPayload } from '../ai.queue';
import type { AiJob } from './ai-job.entity';

/**
 * Puts jobs on the BullMQ queue. The BullMQ job id is our job id, so adding a job twice is
 * harmless; a failure to add is logged and left to the reconciler (the row is already safe).
 */
@Injectable()
export class JobQueue {
  private readonly logger = new Logger(JobQueue.name);

  constructor(
    @InjectQueue(AI_QUEUE) readonly queue: Queue<RunJobPayload>,
    @Inject(AI_JOBS_CONFIG) private readonly config: AiJobsConfig,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
  ) {
    warnQueueErrors(queue, this.logger);
  }

  private options(job: Pick<AiJob, 'id' | 'priority'>) {
    return {
      jobId: job.id,
      priority: QUEUE_PRIORITY[job.priority],
      attempts: this.config.JOB_ATTEMPTS,
      backoff: { type: 'exponential' as const, delay: this.config.JOB_BACKOFF_MS },
      removeOnComplete: { age: 3600, count: 1000 },
      // A failed run is kept for a day for the admin's view, and never more than the cap.
      removeOnFail: { age: 24 * 3600, count: this.platform.QUEUE_KEEP_FINISHED },
    };
  }

  /**
   * BullMQ connections use `maxRetriesPerRequest: null` and wait for Redis to be ready before
   * sending anything, so with Redis down or hung a queue call never settles, and the request
   * awaiting it neither. Calls on the request path get a deadline; what they leave undone is
   * the reconciler's (the job row is already committed). The floor of 2 s keeps a busy event
   * loop from turning into delayed jobs.
   */
  private withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
    const ms = Math.max(2000, this.config.REDIS_COMMAND_TIMEOUT_MS);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what}: no answer from Redis within ${ms} ms`)),
        ms,
      );
    });
    // The abandoned call may still settle later; it is harmless (job ids make adds idempotent).
    work.catch(() => undefined);
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }

  async enqueue(jobs: Array<Pick<AiJob, 'id' | 'priority'>>): Promise<boolean> {
    if (jobs.length === 0) return true;
    try {
      await traced(
        'ai-job.enqueue',
        async () => {
          // Inside the producer span: the worker's span continues this trace.
          const trace = traceCarrier();
          await this.withDeadline(
            this.queue.addBulk(
              jobs.map((job) => ({
                name: AiJobName.Run,
                data: trace ? { jobId: job.id, trace } : { jobId: job.id },
                opts: this.options(job),
              })),
            ),
            'enqueue',
          );
        },
        {
          kind: 'producer',
          attributes: {
            'messaging.destination.name': AI_QUEUE,
            'messaging.batch.message_count': jobs.length,
          },
        },
      );
      return true;
    } catch (error) {
      this.logger.warn(
        `enqueue of ${jobs.length} job(s) failed, the reconciler will retry: ${(error as Error).message}`,
      );
      return false;
    }
  }

  /** Takes a job off the queue if it has not started. */
  async removeIfWaiting(jobId: string): Promise<void> {
    try {
      await this.withDeadline(
        (async () => {
          const job = await this.queue.getJob(jobId);
          if (job && !(await job.isActive())) await job.remove();
        })(),
        'remove a waiting job',
      );
    } catch {
      // Already taken or gone: the worker will find the job canceled and skip it.
    }
  }
}
