import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import { DomainError } from '@jewelshot/platform';

/**
 * @nestjs/throttler with two house rules: a 429 is our RATE_LIMIT_EXCEEDED error, and if Redis
 * cannot be reached the request goes through (logged) rather than the whole API failing.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly failOpenLog = new Logger(RateLimitGuard.name);
  private lastWarned = 0;

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(props);
    } catch (error) {
      if (error instanceof ThrottlerException || error instanceof DomainError) throw error;
      // Said now and then, not once per request, while Redis is away.
      if (Date.now() - this.lastWarned > 10_000) {
        this.lastWarned = Date.now();
        this.failOpenLog.warn(`rate limiting skipped: ${error instanceof Error ? error.message : String(error)}`);
      }
      return true;
    }
  }

  protected override async throwThrottlingException(_: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new DomainError('RATE_LIMIT_EXCEEDED', 'Too many requests. Retry after the time in Retry-After.', {
      limit: detail.limit,
      retryAfterSeconds: detail.timeToBlockExpire,
    });
  }
}
