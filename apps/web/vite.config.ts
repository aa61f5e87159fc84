/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev:web` proxies /v1 to the API (DEV_API_TARGET, default http://localhost:3000) so the
// SPA and the API share an origin in development as they will in production.
const apiTarget = process.env.DEV_API_TARGET ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: Number(process.env.DEV_WEB_PORT ?? 5173),
    proxy: { '/v1': { target: apiTarget, changeOrigin: false } },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    // CI (TEST_REPORT_DIR) also gets a JSON summary to count the tests of `npm test`.
    ...(process.env.TEST_REPORT_DIR
      ? {
          reporters: ['default', 'json'],
          outputFile: { json: `${process.env.TEST_REPORT_DIR}/vitest.json` },
        }
      : {}),
    // Node's Request (used under jsdom) needs absolute URLs; a browser resolves relative ones.
    env: { VITE_API_BASE_URL: 'http://localhost' },
    // The SPA's tests (the options above), then the typed client's own, which run in Node
    // (packages/api-client/vitest.config.ts): one run, one report.
    projects: [{ extends: true, test: { name: 'web' } }, '../../packages/api-client'],
  },
});
