import { defineConfig } from 'vitest/config';

// The client's own tests, in Node as an integration runs it (no window, no XMLHttpRequest, no
// EventSource), against real HTTP servers on loopback. `npm test` runs them with the SPA's
// suite (a project of apps/web/vite.config.ts); alone: `npm test --workspace packages/api-client`.
export default defineConfig({
  test: {
    name: 'api-client',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
  },
});
