/** The events an endpoint may subscribe to (Standard Webhooks `type`). Never rename one. */
export const WEBHOOK_EVENT_TYPES = [
  'job.succeeded',
  'job.failed',
  'job.canceled',
  'batch.finished',
  'credits.low',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent by `POST /v1/webhooks/{id}/test` only, to that endpoint, whatever it subscribes to. */
export const WEBHOOK_TEST_TYPE = 'webhook.test';
