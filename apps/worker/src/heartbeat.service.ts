import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { clearHeartbeat, REDIS, writeHeartbeat, type WorkerHeartbeat } from '@jewelshot/platform';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';

/** Announces this worker in Redis every third of the key's TTL; /health reads it. */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatService.name);
  private readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    const every = Math.max(1000, Math.floor((this.config.WORKER_HEARTBEAT_TTL_SECONDS * 1000) / 3));
    this.timer = setInterval(() => void this.beat(), every);
    this.timer.unref();
    this.logger.log(`worker ${this.id} is up`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await clearHeartbeat(this.redis, this.id).catch(() => undefined);
    this.logger.log(`worker ${this.id} stopped`);
  }

  private async beat(): Promise<void> {
    const beat: WorkerHeartbeat = {
      id: this.id,
      pid: process.pid,
      startedAt: this.startedAt,
      at: new Date().toISOString(),
    };
    try {
      await writeHeartbeat(this.redis, beat, this.config.WORKER_HEARTBEAT_TTL_SECONDS);
    } catch (error) {
      this.logger.warn(
        `heartbeat failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
