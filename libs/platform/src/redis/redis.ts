import { Logger } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';

export const REDIS = Symbol('REDIS');

export interface RedisSettings {
  url: string;
  keyPrefix: string;
  /** A name for logs and for CLIENT LIST. */
  connectionName: string;
  /**
   * A command not answered within this fails (REDIS_COMMAND_TIMEOUT_MS for clients on the
   * request path). Retries cover a Redis that errors; only a timeout covers one that hangs.
   */
  commandTimeoutMs?: number;
}

/**
 * The one way the apps make a Redis client. Errors are logged (never thrown as unhandled
 * events), reconnects back off up to 2 s, and commands fail after 2 retries instead of
 * queueing forever while Redis is down, or after `commandTimeoutMs` when it hangs.
 */
export function createRedis(settings: RedisSettings, overrides: RedisOptions = {}): Redis {
  const logger = new Logger(`Redis:${settings.connectionName}`);
  const client = new Redis(settings.url, {
    keyPrefix: settings.keyPrefix,
    connectionName: settings.connectionName,
    maxRetriesPerRequest: 2,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
    ...(settings.commandTimeoutMs !== undefined
      ? { commandTimeout: settings.commandTimeoutMs }
      : {}),
    ...overrides,
  });
  let lastLogged = 0;
  client.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastLogged > 10_000) {
      lastLogged = now;
      logger.warn(`Redis error: ${error.message}`);
    }
  });
  return client;
}

/** QUIT when connected (pending replies arrive first); otherwise just drop the connection attempt. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await client.quit().catch(() => client.disconnect());
}
