import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/**
 * The process's one DataSource (one pg pool) and the CLS-based transactions: a service method
 * runs `txHost.withTransaction(...)` and so joins its caller's transaction (the default propagation).
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: { applicationName: string }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(
              { url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE, applicationName: options.applicationName },
              [],
            ),
            // Each lib registers its entities with TypeOrmModule.forFeature(<LIB>_ENTITIES).
            autoLoadEntities: true,
            // Fail fast at start-up; the preflight has already told the operator what to do.
            retryAttempts: 0,
          }),
        }),
        ClsModule.forRoot({
          global: true,
          plugins: [
            new ClsPluginTransactional({
              imports: [TypeOrmModule],
              adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
            }),
          ],
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
