import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AiJobEventsModule } from '@jewelshot/ai-jobs';
import { CreditLedgerModule } from '@jewelshot/credit-ledger';
import { EmailModule } from '@jewelshot/email';
import { IdentityModule } from '@jewelshot/identity';
import { AbuseFlag } from './entities/abuse-flag.entity';
import { AbuseObservation } from './entities/abuse-observation.entity';
import { AbuseSignal } from './entities/abuse-signal.entity';
import { AbuseFlags } from './services/abuse-flags.service';
import { AbuseScoring } from './services/abuse-scoring.service';
import { AbuseSubscribers } from './services/abuse-subscribers';

export const ABUSE_ENTITIES = [AbuseObservation, AbuseSignal, AbuseFlag];

/**
 * Behaviour signals, the suspicion score and the flags (docs/abuse.md). Every process imports
 * it (its subscribers must be registered wherever the events are declared), but the scoring
 * runs only in the worker: the subscribers are after-commit ones. Nothing calls into it on the
 * request path; the admin lib reads and resolves flags.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature(ABUSE_ENTITIES),
    IdentityModule,
    CreditLedgerModule,
    EmailModule,
    AiJobEventsModule,
  ],
  providers: [AbuseScoring, AbuseSubscribers, AbuseFlags],
  exports: [AbuseScoring, AbuseFlags],
})
export class AbuseModule {}
