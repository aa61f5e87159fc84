import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { REDIS } from '../redis/redis';
import { readHeartbeats } from './heartbeat';

export interface ServiceCheck {
  ok: boolean;
  detail: string;
  latencyMs: number;
}

export interface HealthReport {
  status: 'healthy' | 'unhealthy';
  timestamp: number;
  version: string;
  services: { database: boolean; redis: boolean; worker: boolean };
  details: { database: string; redis: string; worker: string };
}

/** A failure whose message is ours and safe to show on the public /health page. */
class CheckFailed extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function measure(work: () => Promise<string>, ms: number, what: string): Promise<ServiceCheck> {
  const started = performance.now();
  try {
    const detail = await withTimeout(work(), ms, what);
    return { ok: true, detail, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof CheckFailed ? error.message : `${what} unreachable`;
    return { ok: false, detail: message, latencyMs: Math.round(performance.now() - started) };
  }
}

/** Checks the services the system needs; every check has a timeout and none can throw. */
@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  database(): Promise<ServiceCheck> {
    return measure(
      async () => {
        await this.dataSource.query('SELECT 1');
        return 'Connected';
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'PostgreSQL',
    );
  }

  redisPing(): Promise<ServiceCheck> {
    return measure(
      async () => {
        if (this.redis.status !== 'ready') throw new CheckFailed(`Redis connection is ${this.redis.status}`);
        await this.redis.ping();
        return 'Connected';
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'Redis',
    );
  }

  worker(): Promise<ServiceCheck> {
    return measure(
      async () => {
        if (this.redis.status !== 'ready') throw new CheckFailed('Unknown: Redis is unreachable');
        const beats = await readHeartbeats(this.redis);
        if (beats.length === 0) throw new CheckFailed('No worker heartbeat');
        return `Active - ${beats.length} worker(s)`;
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'Worker heartbeat',
    );
  }

  async report(version: string): Promise<HealthReport> {
    const [database, redis, worker] = await Promise.all([this.database(), this.redisPing(), this.worker()]);
    const healthy = database.ok && redis.ok && worker.ok;
    return {
      status: healthy ? 'healthy' : 'unhealthy',
      timestamp: Date.now(),
      version,
      services: { database: database.ok, redis: redis.ok, worker: worker.ok },
      details: { database: database.detail, redis: redis.detail, worker: worker.detail },
    };
  }

  /** Ready to take traffic: the database and Redis answer (a worker may still be starting). */
  async ready(): Promise<{ ready: boolean; database: ServiceCheck; redis: ServiceCheck }> {
    const [database, redis] = await Promise.all([this.database(), this.redisPing()]);
    return { ready: database.ok && redis.ok, database, redis };
  }
}
