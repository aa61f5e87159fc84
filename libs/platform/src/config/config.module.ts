import { DynamicModule, Global, Module } from '@nestjs/common';
import { sectionsOf } from './load-config';

/**
 * Provides the validated config to the whole app under each loaded section's token (platform's
 * PLATFORM_CONFIG, a lib's `<LIB>_CONFIG`): a lib reads its own section through its own token.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: object): DynamicModule {
    const tokens = sectionsOf(config).map((section) => section.token);
    return {
      module: ConfigModule,
      providers: tokens.map((token) => ({ provide: token, useValue: config })),
      exports: tokens,
    };
  }
}
