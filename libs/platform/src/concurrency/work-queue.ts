import { DomainError } from '../errors/domain-error';

/** A 503 SERVICE_UNAVAILABLE that tells the client when to come back (the API sets Retry-After from it). */
export class ServiceBusyError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('SERVICE_UNAVAILABLE', message, { retryAfterSeconds });
  }
}

/**
 * At most `concurrency` tasks of one kind at once, at most `maxWaiting` more in line; past that
 * a task is refused at once with ServiceBusyError instead of waiting forever. A task that waits
 * longer than `maxWaitMs` for its turn (a slow machine, a long line) is refused the same way, so
 * the client gets a 503 with Retry-After rather than a connection the server times out.
 *
 * Why: argon2 and sharp run on libuv's thread pool, which file reads, DNS and zlib share.
 * Unbounded, 64 logins took every pool thread and starved downloads for 11 s. Bounded below
 * the pool size, some threads stay free for everything else.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly name: string,
    readonly concurrency: number,
    readonly maxWaiting: number,
    private readonly retryAfterSeconds = 1,
    readonly maxWaitMs = 10_000,
  ) {}

  private busy(): ServiceBusyError {
    return new ServiceBusyError(
      `Too much ${this.name} work in progress. Retry shortly.`,
      this.retryAfterSeconds,
    );
  }

  get size(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw this.busy();
      await new Promise<void>((resolve, reject) => {
        const turn = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          const at = this.waiting.indexOf(turn);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(this.busy());
        }, this.maxWaitMs);
        this.waiting.push(turn);
      });
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line (running stays the same), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
