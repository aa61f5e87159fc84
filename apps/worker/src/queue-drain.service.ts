import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { HeartbeatService } from './heartbeat.service';

/**
 * Stops every BullMQ worker of the process before anything else shuts down: each takes no new
 * job and its running ones finish (a provider call, its settle) while PostgreSQL and Redis are
 * still there. @nestjs/bullmq closes its workers in `onApplicationShutdown`, which Nest runs
 * module by module, and the TypeORM module's came first: a job still running at SIGTERM lost
 * its database ("Driver not Connected"), could not settle, and waited for the reconciler.
 * `beforeApplicationShutdown` runs before any module's `onApplicationShutdown`. The heartbeat is
 * withdrawn first, and the whole stop is bounded by WORKER_SHUTDOWN_TIMEOUT_MS (main.ts): a
 * close waiting on a Redis that is down never ends.
 */
@Injectable()
export class QueueDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueDrain.name);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly heartbeat: HeartbeatService,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    // A draining worker takes no job: it stops announcing itself before it drains.
    await this.heartbeat.withdraw();
    const workers = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost)
      .map((host) => host.worker)
      .filter((worker) => worker !== undefined);
    if (workers.length === 0) return;
    const running = workers.reduce((n, worker) => n + (worker.isRunning() ? 1 : 0), 0);
    this.logger.log(`draining ${running} queue worker(s): running jobs finish, no new ones start`);
    await Promise.all(workers.map((worker) => worker.close()));
    this.logger.log('queue workers drained');
  }
}
