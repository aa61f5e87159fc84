import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { closeRedis, createRedis } from '@jewelshot/platform';
import { AI_JOBS_CONFIG, type AiJobsConfig } from '../ai-jobs.config';
import type { JobStatus } from './ai-job.entity';

export interface JobEvent {
  jobId: string;
  status: JobStatus;
}

type Listener<T> = (message: T) => void;

/**
 * Redis pub/sub between API and workers: job status changes (for the SSE stream) and
 * cancel requests (for the worker running the job). A hint only: the database stays the truth,
 * and both sides also look there.
 */
@Injectable()
export class JobSignals implements OnApplicationShutdown {
  private readonly logger = new Logger(JobSignals.name);
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;
  private readonly eventListeners = new Set<Listener<JobEvent>>();
  private readonly cancelListeners = new Set<Listener<string>>();
  private readonly eventsChannel: string;
  private readonly cancelChannel: string;

  constructor(@Inject(AI_JOBS_CONFIG) private readonly config: AiJobsConfig) {
    this.eventsChannel = `${config.REDIS_KEY_PREFIX}ai:job-events`;
    this.cancelChannel = `${config.REDIS_KEY_PREFIX}ai:job-cancel`;
  }

  private pub(): Redis {
    // A command timeout: publishing is a hint on the request path and must not hang with Redis.
    this.publisher ??= createRedis({
      url: this.config.REDIS_URL,
      keyPrefix: '',
      connectionName: 'job-signals-pub',
      commandTimeoutMs: this.config.REDIS_COMMAND_TIMEOUT_MS,
    });
    return this.publisher;
  }

  private sub(): Redis {
    if (!this.subscriber) {
      const subscriber = createRedis({
        url: this.config.REDIS_URL,
        keyPrefix: '',
        connectionName: 'job-signals-sub',
      });
      subscriber.on('message', (channel: string, message: string) =>
        this.dispatch(channel, message),
      );
      void subscriber.subscribe(this.eventsChannel, this.cancelChannel).catch((error: Error) => {
        this.logger.warn(`subscribe failed: ${error.message}`);
      });
      this.subscriber = subscriber;
    }
    return this.subscriber;
  }

  private dispatch(channel: string, message: string): void {
    if (channel === this.cancelChannel) {
      for (const listener of this.cancelListeners) listener(message);
      return;
    }
    try {
      const event = JSON.parse(message) as JobEvent;
      for (const listener of this.eventListeners) listener(event);
    } catch {
      // not ours
    }
  }

  async statusChanged(jobId: string, status: JobStatus): Promise<void> {
    await this.pub()
      .publish(this.eventsChannel, JSON.stringify({ jobId, status }))
      .catch(() => 0);
  }

  async requestCancel(jobId: string): Promise<void> {
    await this.pub()
      .publish(this.cancelChannel, jobId)
      .catch(() => 0);
  }

  onEvent(listener: Listener<JobEvent>): () => void {
    this.sub();
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onCancel(listener: Listener<string>): () => void {
    this.sub();
    this.cancelListeners.add(listener);
    return () => this.cancelListeners.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const client of [this.publisher, this.subscriber]) if (client) await closeRedis(client);
  }
}
