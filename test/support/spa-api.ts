import { startApi, type TestApi } from './app';
import { freePort } from './free-port';
import { ensureSpaBuilt, SPA_DIST } from './spa-build';

/**
 * The API serving the built SPA (built first if stale) on a loopback port of its own, as a
 * browser reaches it: signed file URLs point at that origin. `overrides` gets the origin, for
 * variables that name it; the whole environment is returned for a worker to share.
 */
export async function startSpaApi(
  overrides: (base: string) => NodeJS.ProcessEnv,
): Promise<{ api: TestApi; base: string; env: NodeJS.ProcessEnv }> {
  ensureSpaBuilt();
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const env = { WEB_DIST_DIR: SPA_DIST, PUBLIC_BASE_URL: base, ...overrides(base) };
  const api = await startApi(env);
  await api.app.listen(port, '127.0.0.1');
  return { api, base, env };
}
