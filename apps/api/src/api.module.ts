import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AiJobsModule } from '@jewelshot/ai-jobs';
import { CreditLedgerModule } from '@jewelshot/credit-ledger';
import { IdentityModule } from '@jewelshot/identity';
import {
  AllExceptionsFilter,
  APP_CONFIG,
  ConfigModule,
  DatabaseModule,
  HealthService,
  LoggingModule,
  QueueModule,
  REDIS,
  RedisModule,
  RedisThrottlerStorage,
  type AppConfig,
  type LoggingOptions,
} from '@jewelshot/platform';
import { AdminCreditsController } from './admin/admin-credits.controller';
import { BatchesController } from './ai/batches.controller';
import { JobView } from './ai/job-view.service';
import { JobsController } from './ai/jobs.controller';
import { UploadsController } from './ai/uploads.controller';
import { AdminUsersController } from './admin/admin-users.controller';
import { AuthController } from './auth/auth.controller';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { JwtStrategy } from './auth/jwt.strategy';
import { SignupService } from './auth/signup.service';
import { RolesGuard } from './auth/roles.guard';
import { AUTH_RATE_LIMIT } from './common/auth-rate-limit.decorator';
import { NotFoundController } from './common/not-found.controller';
import { RateLimitGuard } from './common/rate-limit.guard';
import { CreditsController } from './credits/credits.controller';
import { HealthController } from './health/health.controller';
import { LegacyController } from './legacy/legacy.controller';
import { MeController } from './me/me.controller';

const reflector = new Reflector();

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, logging: LoggingOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('api', logging),
        DatabaseModule.forRoot({ applicationName: 'jewelshot-api' }),
        RedisModule.forRoot('api'),
        QueueModule.forRoot('api'),
        PassportModule,
        ThrottlerModule.forRootAsync({
          inject: [APP_CONFIG, REDIS],
          useFactory: (cfg: AppConfig, redis: Redis) => ({
            storage: new RedisThrottlerStorage(redis),
            throttlers: [
              {
                name: 'default',
                ttl: cfg.RATE_LIMIT_WINDOW_MS,
                limit: (context: ExecutionContext) =>
                  reflector.getAllAndOverride<boolean>(AUTH_RATE_LIMIT, [context.getHandler(), context.getClass()])
                    ? cfg.AUTH_RATE_LIMIT_MAX
                    : cfg.RATE_LIMIT_MAX,
              },
            ],
          }),
        }),
        IdentityModule,
        CreditLedgerModule,
        AiJobsModule,
      ],
      controllers: [
        HealthController,
        AuthController,
        MeController,
        CreditsController,
        UploadsController,
        JobsController,
        BatchesController,
        LegacyController,
        AdminUsersController,
        AdminCreditsController,
        // Last: the catch-all for unknown routes.
        NotFoundController,
      ],
      providers: [
        HealthService,
        JwtStrategy,
        SignupService,
        JobView,
        // Guards run in this order: rate limit, authentication, roles.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
