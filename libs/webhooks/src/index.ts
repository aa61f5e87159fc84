/**
 * Webhooks' public face: its modules and entities, config, the endpoints' use cases, the
 * deliverer the worker's processor calls, the queue, the event types and the address policy
 * (test/integration/public-faces.spec.ts snapshots it).
 */
export { WEBHOOKS_ENTITIES, WebhooksModule } from './webhooks.module';
export { WebhookDeliveryModule } from './delivery/webhook-delivery.module';
export { JobWebhooksModule } from './job-webhooks.module';
export {
  allowsPrivate,
  parseSchedule,
  retrySchedule,
  WEBHOOKS_CONFIG,
  webhooksConfig,
} from './webhooks.config';
export type { WebhooksConfig } from './webhooks.config';
export { ROTATION_OVERLAP_MS, WebhookEndpoints } from './webhook-endpoints.service';
export type {
  DeliveryWithType,
  EndpointChanges,
  EndpointInput,
  ReceiveCheck,
} from './webhook-endpoints.service';
export { WebhookDeliverer } from './delivery/webhook-deliverer';
export { WebhookHistory } from './delivery/webhook-history';
export type { DeliveryGate, DeliveryResult, WebhookPayload } from './delivery/webhook-deliverer';
export {
  HOST_LOOKUP,
  isRefusedAddress,
  resolveTarget,
  TargetRefusedError,
} from './delivery/address-policy';
export type { HostLookup, ResolvedAddress } from './delivery/address-policy';
export { WEBHOOK_BACKOFF, WEBHOOKS_QUEUE } from './webhooks.queue';
export type { DeliverWebhookJob } from './webhooks.queue';
export { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_TYPE } from './webhook-event-types';
export type { WebhookEventType } from './webhook-event-types';
export { DELIVERY_STATUSES, WebhookDelivery } from './entities/webhook-delivery.entity';
export type { DeliveryStatus } from './entities/webhook-delivery.entity';
export { WebhookEndpoint } from './entities/webhook-endpoint.entity';
