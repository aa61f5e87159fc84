import { DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { PLATFORM_CONFIG, type PlatformConfig } from '../config/platform.config';
import { dataSourceOptions } from './data-source-options';
import type { RowAccess } from './row-access';
import { RowScope } from './row-scope';

/**
 * nestjs-cls's root module always registers a global guard and a global interceptor; unless
 * told to mount them (we never do: the transactions open their own contexts, and the request
 * id's is entered by a Fastify hook, logging/request-context.ts) they are no-ops that still
 * run on every request, and any interceptor at all makes Nest wrap every handler in its rxjs
 * pipeline (profile of GET /v1/me, docs/perf/). Dropped here; the module is otherwise as given.
 */
export function withoutNoOpEnhancers(module: DynamicModule): DynamicModule {
  const enhancer = (provider: Provider) =>
    typeof provider === 'object' &&
    'provide' in provider &&
    (provider.provide === APP_GUARD || provider.provide === APP_INTERCEPTOR);
  const imports = module.imports?.map((imported) =>
    imported && typeof imported === 'object' && 'module' in imported && imported.providers
      ? { ...imported, providers: imported.providers.filter((provider) => !enhancer(provider)) }
      : imported,
  );
  return { ...module, imports };
}

/**
 * The process's one DataSource (one pg pool) and the CLS-based transactions: a service method
 * runs `txHost.withTransaction(...)` and so joins its caller's transaction (the default propagation).
 * `rowAccess` says, once per process, whose rows its connections may see; RowScope (global, so
 * every lib can inject it) scopes a transaction to one user, or deliberately to all.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: { applicationName: string; rowAccess: RowAccess }): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [PLATFORM_CONFIG],
          useFactory: (config: PlatformConfig) => ({
            ...dataSourceOptions(
              {
                url: config.DATABASE_URL,
                poolSize: config.DB_POOL_SIZE,
                connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
                applicationName: options.applicationName,
                rowAccess: options.rowAccess,
              },
              [],
            ),
            // Each lib registers its entities with TypeOrmModule.forFeature(<LIB>_ENTITIES).
            autoLoadEntities: true,
            // Fail fast at start-up; the preflight has already told the operator what to do.
            retryAttempts: 0,
          }),
        }),
        withoutNoOpEnhancers(
          ClsModule.forRoot({
            global: true,
            plugins: [
              new ClsPluginTransactional({
                imports: [TypeOrmModule],
                adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
              }),
            ],
          }),
        ),
      ],
      providers: [RowScope],
      exports: [TypeOrmModule, RowScope],
    };
  }
}
