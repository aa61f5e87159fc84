import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { AuditService } from '@jewelshot/audit';
import { HealthService, loggableError, metricsAccess, MetricsService } from '@jewelshot/platform';
import { type WorkerConfig } from './worker.config';
import { WorkerModule } from './worker.module';

/**
 * The health port serves probes and scrapes, which ask and go: it holds a few connections at
 * most (past that, Node closes a new one at once) and closes one idle for this long, a
 * connection that never sent a byte included.
 */
export const HEALTH_PORT_MAX_CONNECTIONS = 32;
export const HEALTH_PORT_IDLE_MS = 2_000;

export interface WorkerApp {
  context: INestApplicationContext;
  close(): Promise<void>;
}

/** The worker: a Nest application context (no HTTP), plus an optional tiny health port. */
export async function createWorker(
  config: WorkerConfig,
  extraImports: ModuleMetadata['imports'] = [],
): Promise<WorkerApp> {
  const context = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(config, extraImports),
    {
      bufferLogs: true,
    },
  );
  context.useLogger(context.get(Logger));
  context.enableShutdownHooks();
  await context.init();
  // A chain last sealed with a previous key goes on under the current one from now, not from
  // the next admin's change (the verifier wants its last event sealed with AUDIT_CHAIN_KEY).
  // In the background: it waits for the chain's append lock, which must not hold up the start.
  void context
    .get(AuditService)
    .adoptKey()
    .catch((error: unknown) =>
      context
        .get(Logger)
        .warn({ err: loggableError(error) }, 'could not hand the audit chain to its current key'),
    );

  let server: Server | undefined;
  if (config.WORKER_HEALTH_PORT !== undefined) {
    const health = context.get(HealthService);
    const metrics = context.get(MetricsService);
    server = createServer((req, res) => {
      // The path alone: a monitor may add a cache-buster, Prometheus its `params`.
      const path = (req.url ?? '').split('?', 1)[0];
      if (path === '/metrics') {
        serveMetrics(config, metrics, req, res);
        return;
      }
      if (path !== '/health') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"status":"not found"}');
        return;
      }
      void health.ready().then(({ ready }) => {
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ready ? 'ok' : 'unavailable' }));
      });
    });
    server.maxConnections = HEALTH_PORT_MAX_CONNECTIONS;
    server.headersTimeout = HEALTH_PORT_IDLE_MS;
    server.requestTimeout = HEALTH_PORT_IDLE_MS;
    server.keepAliveTimeout = HEALTH_PORT_IDLE_MS;
    server.on('connection', (socket: Socket) =>
      socket.setTimeout(HEALTH_PORT_IDLE_MS, () => socket.destroy()),
    );
    // A port already taken (a second worker on the same host) costs this worker its health
    // port, not its life: it says so and carries on processing jobs.
    const listening = server;
    listening.on('error', (error: NodeJS.ErrnoException) => {
      context
        .get(Logger)
        .warn(
          `worker health port ${config.HOST}:${config.WORKER_HEALTH_PORT} unavailable (${error.code ?? error.message}); carrying on without it`,
        );
      if (server === listening) server = undefined;
    });
    listening.listen(config.WORKER_HEALTH_PORT, config.HOST);
  }

  return {
    context,
    async close() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await context.close();
    },
  };
}

/** `/metrics` on the health port, under the same METRICS_TOKEN rule as the API's. */
function serveMetrics(
  config: WorkerConfig,
  metrics: MetricsService,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const access = metricsAccess(config, req.headers.authorization);
  if (access !== 'allowed') {
    const status = access === 'off' ? 404 : 401;
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(status === 401 ? { 'www-authenticate': 'Bearer realm="metrics"' } : {}),
    });
    res.end(JSON.stringify({ status: status === 404 ? 'not found' : 'unauthorized' }));
    return;
  }
  metrics.render().then(
    (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
    () => res.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"error"}'),
  );
}
