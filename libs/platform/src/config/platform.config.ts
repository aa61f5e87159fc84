import { defineConfig } from './config-section';
import { PlatformVariables } from './platform-variables';

export { PlatformVariables };

export const platformConfig = defineConfig({
  name: 'platform',
  variables: PlatformVariables,
  check: (config, given) =>
    config.NODE_ENV !== 'production'
      ? []
      : (['DATABASE_URL', 'REDIS_URL'] as const)
          .filter((key) => !given.has(key))
          .map((key) => `${key}: must be set explicitly in production`),
});

/** Platform's own config, injected through PLATFORM_CONFIG. */
export type PlatformConfig = Readonly<PlatformVariables>;

export const PLATFORM_CONFIG = platformConfig.token;
