import type { DynamicModule, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsModule } from 'nestjs-cls';
import { withoutNoOpEnhancers } from './database.module';

/** Every provider of a dynamic module and of the dynamic modules it imports. */
function providersOf(module: DynamicModule): Provider[] {
  const nested = (module.imports ?? []).flatMap((imported) =>
    imported && typeof imported === 'object' && 'module' in imported
      ? providersOf(imported as DynamicModule)
      : [],
  );
  return [...(module.providers ?? []), ...nested];
}

const enhancers = (module: DynamicModule) =>
  providersOf(module).filter(
    (provider) =>
      typeof provider === 'object' &&
      'provide' in provider &&
      (provider.provide === APP_GUARD || provider.provide === APP_INTERCEPTOR),
  );

describe('withoutNoOpEnhancers', () => {
  it("drops nestjs-cls's global guard and interceptor and keeps everything else", () => {
    const given = ClsModule.forRoot({ global: true });
    // If nestjs-cls stops registering them, this says so (and the helper can go).
    expect(enhancers(given)).toHaveLength(2);
    const kept = withoutNoOpEnhancers(given);
    expect(enhancers(kept)).toEqual([]);
    expect(providersOf(kept)).toHaveLength(providersOf(given).length - 2);
    expect(kept.global).toBe(true);
    expect(kept.module).toBe(given.module);
  });
});
