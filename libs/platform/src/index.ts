/**
 * Platform's public face: the config mechanism and its own section, database and transactions,
 * Redis, queues, logging, health, schedules, generic errors. Named on purpose: what is not
 * listed here is platform's own business (test/integration/public-faces.spec.ts snapshots it).
 */
export { ConfigModule } from './config/config.module';
export { DatabaseModule } from './database/database.module';
export { LoggingModule } from './logging/logging.module';
export type { LoggingOptions } from './logging/logging.module';
export { keepFinished, QueueModule } from './queue/queue.module';
export { throttledWarn, warnQueueErrors, workerErrorWarning } from './queue/queue-errors';
export { RedisModule } from './redis/redis.module';
export { MetricsModule } from './metrics/metrics.module';
export { MetricsService } from './metrics/metrics.service';
export {
  FAST_BUCKETS,
  metricsRegistry,
  secondsSince,
  SLOW_BUCKETS,
} from './metrics/metrics-registry';
export { METRICS_SOURCES } from './metrics/metrics-source';
export type { MetricsSource } from './metrics/metrics-source';
export { metricsAccess } from './metrics/metrics-access';
export { contextFrom, traceCarrier, traced } from './tracing/spans';
export type { TraceCarrier, TracedOptions } from './tracing/spans';
export type { MetricsAccess } from './metrics/metrics-access';
export {
  PLATFORM_ENTITIES,
  RECONCILE_SCHEDULE,
  SchedulesModule,
} from './schedule/schedules.module';
export { defineConfig, productionSecretProblems, toInt } from './config/config-section';
export type { ConfigSection } from './config/config-section';
export { ConfigError, loadConfig, loadConfigOrExit } from './config/load-config';
export type { ConfigOf, CrossCheck } from './config/load-config';
export { PLATFORM_CONFIG, platformConfig } from './config/platform.config';
export type { PlatformConfig } from './config/platform.config';
export {
  DomainError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from './errors/domain-error';
export type { FieldError } from './errors/domain-error';
export type { ErrorBody } from './errors/error-body';
export { PLATFORM_ERROR_CODES } from './errors/error-code';
export type { ErrorCode, PlatformErrorCode } from './errors/error-code';
export { fieldErrors } from './errors/field-errors';
export { LINE_TEXT, LINE_TEXT_MESSAGE, MULTILINE_TEXT } from './errors/text-rules';
export { loggableError } from './logging/loggable-error';
export { ServiceBusyError, WorkQueue } from './concurrency/work-queue';
export { dataSourceOptions } from './database/data-source-options';
export { hydrate } from './database/hydrate';
export { CommitDeadline, ReadDeadlinePassedError } from './database/commit-deadline';
export { whatCommitted } from './database/lost-commit';
export type { TransactionNote } from './database/lost-commit';
export { queryRows } from './database/query-rows';
export { newestFirstPage, positionCursor, readPositionCursor } from './database/newest-first-page';
export type { Page } from './database/newest-first-page';
export { RowScope } from './database/row-scope';
export { API_DB_ROLE } from './database/row-access';
export { HealthService } from './health/health.service';
export { QUEUE_HEALTH } from './health/queue-health';
export type { QueueHealth, QueueHealthFigures } from './health/queue-health';
export {
  BACKUP_STATUS_KEY,
  recordBackupOutcome,
  recordBackupScheduled,
} from './health/backup-status';
export type { BackupOutcome } from './health/backup-status';
export { clearHeartbeat, readHeartbeats, writeHeartbeat } from './health/heartbeat';
export type { WorkerHeartbeat } from './health/heartbeat';
export { REQUEST_ID_HEADER, requestIdFor } from './http/request-id';
export { isUnavailableError, UNAVAILABLE_RETRY_AFTER_SECONDS } from './http/unavailable';
export {
  CLIENT_CLOSED_REQUEST,
  onAbandoned,
  registerRequestLogging,
  requestElapsedMs,
  writeAccessLine,
  type AccessLogRouteConfig,
} from './logging/request-context';
export { preflightOrExit } from './preflight';
export { exitUnlessStoppedWithin } from './shutdown-deadline';
export type { ShutdownDeadline } from './shutdown-deadline';
export { RedisConcurrencyStorage } from './rate-limit/redis-concurrency.storage';
export type { ConcurrencySlot } from './rate-limit/redis-concurrency.storage';
export { RateLimiterHealth } from './rate-limit/rate-limiter-health';
export { RedisThrottlerStorage } from './rate-limit/redis-throttler.storage';
export type { RateLimitCount, RateWindow } from './rate-limit/redis-throttler.storage';
export { trustedProxies } from './rate-limit/trusted-proxies';
export { closeRedis, createRedis, REDIS } from './redis/redis';
export { luaScript } from './redis/lua-script';
export { projectVersion, repoRoot } from './repo-root';
export { scheduleKey, ScheduleRunner } from './schedule/schedule-runner';
export { s3ClientFor } from './storage/s3-client';
export type { S3Connection } from './storage/s3-client';
export { isUuid } from './uuid';
// Domain events (the transactional outbox): events/index.ts is their face.
export * from './events';
export { portProviders } from './ports';
