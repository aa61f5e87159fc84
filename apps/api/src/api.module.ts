import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AdminModule } from '@jewelshot/admin';
import { AbuseModule } from '@jewelshot/abuse';
import { AiJobsModule } from '@jewelshot/ai-jobs';
import { AuditModule } from '@jewelshot/audit';
import { CreditLedgerModule } from '@jewelshot/credit-ledger';
import { EmailModule } from '@jewelshot/email';
import { IdentityModule } from '@jewelshot/identity';
import { JobWebhooksModule, WebhooksModule } from '@jewelshot/webhooks';
import {
  ConfigModule,
  DatabaseModule,
  HealthService,
  LoggingModule,
  MetricsModule,
  QueueModule,
  RateLimiterHealth,
  REDIS,
  RedisConcurrencyStorage,
  RedisModule,
  type LoggingOptions,
} from '@jewelshot/platform';
import type { Redis } from 'ioredis';
import { type ApiConfig } from './api.config';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { AdminCreditsController } from './admin/admin-credits.controller';
import { BatchesController } from './ai/batches.controller';
import { JobView } from './ai/job-view.service';
import { AdminJobView } from './admin/admin-job-view';
import { JobsController } from './ai/jobs.controller';
import { UploadsController } from './files/uploads.controller';
import { AdminUsersController } from './admin/admin-users.controller';
import { AdminJobsController } from './admin/admin-jobs.controller';
import { AdminQueuesController } from './admin/admin-queues.controller';
import { AdminAuditController } from './admin/admin-audit.controller';
import { AdminEmailsController } from './admin/admin-emails.controller';
import { EmailController } from './email/email.controller';
import { AuthController } from './auth/auth.controller';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { OwnerConcurrencyGuard } from './http/owner-concurrency.guard';
import { RolesGuard } from './auth/roles.guard';
import { NotFoundController } from './common/not-found.controller';
import { CreditsController } from './credits/credits.controller';
import { HealthController } from './health/health.controller';
import { AdminAbuseController } from './admin/admin-abuse.controller';
import { LegacyController } from './legacy/legacy.controller';
import { MeController } from './me/me.controller';
import { WebhooksController } from './webhooks/webhooks.controller';
import { MetricsController } from './metrics/metrics.controller';
import { RATE_LIMIT_CALLER_RESOLVERS } from './http/rate-limit-policies';
import { AcceptedApiKeys, apiKeyCaller } from './auth/api-key-header';
import { ApiKeysController } from './api-keys/api-keys.controller';

@Module({})
export class ApiModule {
  static forRoot(config: ApiConfig, logging: LoggingOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('api', logging),
        DatabaseModule.forRoot({ applicationName: 'jewelshot-api', rowAccess: 'user-scoped' }),
        RedisModule.forRoot('api'),
        QueueModule.forRoot('api'),
        MetricsModule,
        EmailModule,
        IdentityModule,
        CreditLedgerModule,
        AiJobsModule,
        WebhooksModule,
        JobWebhooksModule,
        AbuseModule,
        AuditModule,
        AdminModule,
      ],
      controllers: [
        HealthController,
        MetricsController,
        AuthController,
        MeController,
        CreditsController,
        UploadsController,
        JobsController,
        BatchesController,
        LegacyController,
        AdminUsersController,
        AdminCreditsController,
        AdminJobsController,
        AdminQueuesController,
        AdminAuditController,
        AdminEmailsController,
        AdminAbuseController,
        EmailController,
        WebhooksController,
        ApiKeysController,
        // Last: the catch-all for unknown routes.
        NotFoundController,
      ],
      providers: [
        HealthService,
        RateLimiterHealth,
        // One store of in-flight slots for the rate-limit hook and the owner's guard alike, so
        // the process keeps one set of leases and one renew timer.
        {
          provide: RedisConcurrencyStorage,
          inject: [REDIS],
          useFactory: (redis: Redis) => new RedisConcurrencyStorage(redis),
        },
        // Ways to recognise a caller before the token's user and the address: an API key.
        AcceptedApiKeys,
        {
          provide: RATE_LIMIT_CALLER_RESOLVERS,
          inject: [AcceptedApiKeys],
          useFactory: (accepted: AcceptedApiKeys) => [apiKeyCaller(accepted)],
        },
        JobView,
        AdminJobView,
        // Guards run in this order: authentication, roles, an API key's owner's concurrency.
        // Rate limiting runs before them, as a Fastify hook (http/rate-limit.hook.ts).
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: OwnerConcurrencyGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
