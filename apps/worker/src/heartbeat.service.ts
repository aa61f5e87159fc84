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

/** How long withdrawing the heartbeat waits for Redis. */
const WITHDRAW_WAIT_MS = 2000;

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

  /**
   * Stops announcing this worker, first thing when it starts stopping (a draining worker takes
   * no job: /health must not count it). Waits for Redis at most WITHDRAW_WAIT_MS; the key lapses
   * with its TTL anyway.
   */
  async withdraw(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.race([
      clearHeartbeat(this.redis, this.id).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, WITHDRAW_WAIT_MS).unref()),
    ]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.withdraw();
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
