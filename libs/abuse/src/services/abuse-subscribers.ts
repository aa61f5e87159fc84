import { Injectable } from '@nestjs/common';
import { BatchSubmitted, JobSubmitted } from '@jewelshot/ai-jobs';
import { SignupCreditsGranted } from '@jewelshot/credit-ledger';
import { EmailVerified, UserLoggedIn, UserRegistered } from '@jewelshot/identity';
import { AfterCommit, type EventContext } from '@jewelshot/platform';
import { AbuseScoring } from './abuse-scoring.service';

/**
 * What the abuse lib learns from: after-commit subscribers, so scoring runs in the worker,
 * never on the request path, and only for changes that committed. Each delivery is idempotent
 * on the event id (AbuseScoring.observe). Names are part of job ids: never rename one.
 */
@Injectable()
export class AbuseSubscribers {
  constructor(private readonly scoring: AbuseScoring) {}

  @AfterCommit(UserRegistered, { name: 'abuse.registered' })
  async registered(event: UserRegistered, { eventId }: EventContext): Promise<void> {
    const { userId, address, deviceId, at } = event.payload;
    await this.scoring.observe({ eventId, kind: 'registered', userId, address, deviceId, at });
  }

  @AfterCommit(UserLoggedIn, { name: 'abuse.logged-in' })
  async loggedIn(event: UserLoggedIn, { eventId }: EventContext): Promise<void> {
    const { userId, address, deviceId, at } = event.payload;
    await this.scoring.observe({ eventId, kind: 'logged-in', userId, address, deviceId, at });
  }

  @AfterCommit(EmailVerified, { name: 'abuse.email-verified' })
  async emailVerified(event: EmailVerified, { eventId }: EventContext): Promise<void> {
    await this.scoring.observe({ eventId, kind: 'email-verified', userId: event.payload.userId });
  }

  @AfterCommit(SignupCreditsGranted, { name: 'abuse.signup-grant' })
  async signupGrant(event: SignupCreditsGranted, { eventId }: EventContext): Promise<void> {
    const { userId, amount } = event.payload;
    await this.scoring.observe({ eventId, kind: 'signup-grant', userId, amount });
  }

  @AfterCommit(JobSubmitted, { name: 'abuse.job-submitted' })
  async jobSubmitted(event: JobSubmitted, { eventId }: EventContext): Promise<void> {
    const { userId, operation, promptHash, at } = event.payload;
    await this.scoring.observe({ eventId, kind: 'job', userId, operation, promptHash, at });
  }

  @AfterCommit(BatchSubmitted, { name: 'abuse.batch-submitted' })
  async batchSubmitted(event: BatchSubmitted, { eventId }: EventContext): Promise<void> {
    const { userId, operation, promptHash, items, at } = event.payload;
    await this.scoring.observe({
      eventId,
      kind: 'batch',
      userId,
      operation,
      promptHash,
      amount: items,
      at,
    });
  }
}
