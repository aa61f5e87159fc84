import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { declareEvents, EventsModule } from '@jewelshot/platform';
import { HOST_LOOKUP, systemLookup } from './delivery/address-policy';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookEvent } from './entities/webhook-event.entity';
import { WebhookDeliveryRequested } from './events/webhook-delivery-requested';
import { WebhookEndpoints } from './webhook-endpoints.service';
import { WebhookEnqueuer } from './webhook-enqueuer';
import { WebhookFanOut } from './webhook-fan-out';

export const WEBHOOKS_ENTITIES = [WebhookEndpoint, WebhookEvent, WebhookDelivery];

/**
 * Webhooks for every process that publishes the events they announce (API, worker, CLI): the
 * endpoints' use cases and the subscribers that fan domain events out to endpoints (they run
 * in the worker). The jobs' subscribers are JobWebhooksModule's (with AiJobsModule); the
 * sending itself is WebhookDeliveryModule's, in the worker only.
 */
@Module({
  imports: [TypeOrmModule.forFeature(WEBHOOKS_ENTITIES), EventsModule],
  providers: [
    { provide: HOST_LOOKUP, useValue: systemLookup },
    WebhookEndpoints,
    WebhookEnqueuer,
    WebhookFanOut,
    declareEvents([WebhookDeliveryRequested]),
  ],
  exports: [WebhookEndpoints, WebhookFanOut, HOST_LOOKUP],
})
export class WebhooksModule {}
