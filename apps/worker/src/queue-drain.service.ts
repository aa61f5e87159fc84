import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/**
 * Stops every BullMQ worker of the process before anything else shuts down: each takes no new
 * job and its running ones finish (a provider call, its settle) while PostgreSQL and Redis are
 * still there. @nestjs/bullmq closes its workers in `onApplicationShutdown`, which Nest runs
 * module by module, and the TypeORM module's came first: a job still running at SIGTERM lost
 * its database ("Driver not Connected"), could not settle, and waited for the reconciler.
 * `beforeApplicationShutdown` runs before any module's `onApplicationShutdown`.
 */
@Injectable()
export class QueueDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueDrain.name);

  constructor(private readonly discovery: DiscoveryService) {}

  async beforeApplicationShutdown(): Promise<void> {
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
