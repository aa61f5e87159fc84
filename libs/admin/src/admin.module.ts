import { Module } from '@nestjs/common';
import { AbuseModule } from '@jewelshot/abuse';
import { AiJobsModule } from '@jewelshot/ai-jobs';
import { AuditModule } from '@jewelshot/audit';
import { CreditLedgerModule } from '@jewelshot/credit-ledger';
import { IdentityModule } from '@jewelshot/identity';
import { AdminAbuse } from './admin-abuse';
import { AdminActions } from './admin-actions';
import { AdminCredits } from './admin-credits';
import { AdminDenials } from './admin-denials';
import { AdminJobs } from './admin-jobs';
import { AdminReads } from './admin-reads';
import { AdminQueues } from './admin-queues';
import { AdminUsers } from './admin-users';

/**
 * The admin use cases (floor 6): each write is one transaction { domain call; audit.record }
 * through AdminActions. Needs DatabaseModule, RedisModule and QueueModule (the API has them).
 */
@Module({
  imports: [AuditModule, IdentityModule, CreditLedgerModule, AiJobsModule, AbuseModule],
  providers: [
    AdminActions,
    AdminDenials,
    AdminReads,
    AdminUsers,
    AdminCredits,
    AdminJobs,
    AdminQueues,
    AdminAbuse,
  ],
  exports: [
    AdminActions,
    AdminDenials,
    AdminReads,
    AdminUsers,
    AdminCredits,
    AdminJobs,
    AdminQueues,
    AdminAbuse,
  ],
})
export class AdminModule {}
