import { createHash, timingSafeEqual } from 'node:crypto';
import type { PlatformConfig } from '../config/platform.config';

export type MetricsAccess = 'allowed' | 'unauthorized' | 'off';

/**
 * Who may read `/metrics` (API and worker alike): with METRICS_TOKEN set, only a caller with
 * `Authorization: Bearer <token>`; without it, anyone outside production, and nobody in
 * production (the route is off: an open metrics page tells strangers too much).
 */
export function metricsAccess(
  config: Pick<PlatformConfig, 'METRICS_TOKEN' | 'NODE_ENV'>,
  authorization: string | undefined,
): MetricsAccess {
  const token = config.METRICS_TOKEN;
  if (!token) return config.NODE_ENV === 'production' ? 'off' : 'allowed';
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!match) return 'unauthorized';
  // Digests of equal length, compared in constant time: the time taken says nothing of the
  // token, its length included.
  return timingSafeEqual(digest(match[1].trim()), digest(token)) ? 'allowed' : 'unauthorized';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
