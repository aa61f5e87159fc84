import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AiJobsModule } from '@jewelshot/ai-jobs';
import { EmailModule } from '@jewelshot/email';
import { IdentityModule } from '@jewelshot/identity';
import { JobWebhooksModule } from '../job-webhooks.module';
import { WebhooksModule } from '../webhooks.module';
import { WEBHOOKS_QUEUE } from '../webhooks.queue';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookHistory } from './webhook-history';

/** The worker's part: the `webhooks` queue and the deliverer its processor calls. Needs QueueModule. */
@Module({
  imports: [
    WebhooksModule,
    JobWebhooksModule,
    AiJobsModule,
    EmailModule,
    IdentityModule,
    BullModule.registerQueue({ name: WEBHOOKS_QUEUE }),
  ],
  providers: [WebhookDeliverer, WebhookHistory],
  exports: [WebhookDeliverer, WebhookHistory, BullModule],
})
export class WebhookDeliveryModule {}
