import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port';

/**
 * A redis-server of the test's own on a free loopback port, with no persistence: a test may
 * stop, restart or FLUSHALL it. The machine's shared Redis is never touched.
 */
export interface ThrowawayRedis {
  url: string;
  port: number;
  /** A plain client on it (no key prefix). */
  client(): Redis;
  /** Stops the server (SIGKILL: an abrupt loss, no shutdown handshake). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers (a hung server); resume() ends it. */
  pause(): void;
  resume(): void;
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > until) throw new Error(`throwaway redis at ${url} did not start`);
    } finally {
      probe.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `password`: the server asks for it (`--requirepass`); `url` carries it. */
export async function startThrowawayRedis(
  options: { password?: string } = {},
): Promise<ThrowawayRedis> {
  const port = await freePort();
  const auth = options.password === undefined ? '' : `:${options.password}@`;
  const url = `redis://${auth}127.0.0.1:${port}`;
  const requirePass = options.password === undefined ? [] : ['--requirepass', options.password];
  let child: ChildProcess | undefined;
  const clients: Redis[] = [];

  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...requirePass,
      ],
      {
        stdio: 'ignore',
      },
    );
    await waitForPing(url, 10_000);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL'); // ends a paused server too
    await exited;
  };
  await start();
  return {
    url,
    port,
    client() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients.splice(0)) client.disconnect();
      await stop();
    },
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}
