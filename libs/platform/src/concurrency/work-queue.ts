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
 * a task is refused at once with ServiceBusyError instead of waiting forever.
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
  ) {}

  get size(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new ServiceBusyError(
          `Too much ${this.name} work in progress. Retry shortly.`,
          this.retryAfterSeconds,
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
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
