import type { OpenAPIObject } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_TYPE } from '@jewelshot/webhooks';

type Schema = Record<string, unknown>;

/**
 * OpenAPI 3.0's `nullable: true` becomes 3.1's `type: [T, 'null']` (and a nullable reference a
 * `oneOf` with null), everywhere in the document: 3.1 is JSON Schema and has no `nullable`.
 */
function toJsonSchemaNulls(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) toJsonSchemaNulls(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Schema;
  if (schema.nullable === true) {
    delete schema.nullable;
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) {
      const [only] = schema.allOf as Schema[];
      delete schema.allOf;
      delete schema.type;
      schema.oneOf = [only, { type: 'null' }];
    } else if (typeof schema.type === 'string') {
      schema.type = [schema.type, 'null'];
      if (Array.isArray(schema.enum)) schema.enum = [...(schema.enum as unknown[]), null];
    }
  }
  for (const value of Object.values(schema)) toJsonSchemaNulls(value);
}

const ENVELOPE_DESCRIPTION =
  'Standard Webhooks body: `type`, `timestamp` (when the event happened) and `data`.';

function envelope(type: readonly string[], data: Schema, description: string): Schema {
  return {
    type: 'object',
    description: `${description} ${ENVELOPE_DESCRIPTION}`,
    required: ['type', 'timestamp', 'data'],
    properties: {
      type: { type: 'string', enum: [...type] },
      timestamp: { type: 'string', format: 'date-time' },
      data,
    },
  };
}

const SCHEMAS: Record<string, Schema> = {
  WebhookJobEvent: envelope(
    ['job.succeeded', 'job.failed', 'job.canceled'],
    { $ref: '#/components/schemas/JobDto' },
    'A job ended. `data` is the job as GET /v1/ai/jobs/{id} returns it, with fresh signed output URLs.',
  ),
  WebhookBatchFinishedEvent: envelope(
    ['batch.finished'],
    {
      type: 'object',
      required: ['id', 'total', 'succeeded', 'failed', 'canceled'],
      properties: {
        id: { type: 'string', format: 'uuid', description: 'The batch' },
        total: { type: 'integer' },
        succeeded: { type: 'integer' },
        failed: { type: 'integer' },
        canceled: { type: 'integer' },
      },
    },
    'The last open job of a batch ended.',
  ),
  WebhookCreditsLowEvent: envelope(
    ['credits.low'],
    {
      type: 'object',
      required: ['available', 'threshold'],
      properties: {
        available: { type: 'number', description: 'Credits available now' },
        threshold: { type: 'number', description: 'The balance below which this is sent' },
      },
    },
    'The available balance fell below the low-credit threshold (once per crossing).',
  ),
  WebhookTestEvent: envelope(
    [WEBHOOK_TEST_TYPE],
    {
      type: 'object',
      required: ['endpointId', 'message'],
      properties: {
        endpointId: { type: 'string', format: 'uuid' },
        message: { type: 'string' },
      },
    },
    'Sent by POST /v1/webhooks/{id}/test to that endpoint only.',
  ),
};

const SCHEMA_OF: Record<string, string> = {
  'job.succeeded': 'WebhookJobEvent',
  'job.failed': 'WebhookJobEvent',
  'job.canceled': 'WebhookJobEvent',
  'batch.finished': 'WebhookBatchFinishedEvent',
  'credits.low': 'WebhookCreditsLowEvent',
  [WEBHOOK_TEST_TYPE]: 'WebhookTestEvent',
};

const SUMMARY: Record<string, string> = {
  'job.succeeded': 'A job succeeded',
  'job.failed': 'A job failed after its last attempt (its credits were refunded)',
  'job.canceled': 'A job was canceled (its credits were refunded)',
  'batch.finished': 'A batch finished',
  'credits.low': 'Credits are running low',
  [WEBHOOK_TEST_TYPE]: 'A test event',
};

const HEADERS: Array<{
  name: string;
  in: 'header';
  required: boolean;
  description: string;
  schema: Schema;
}> = [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description: 'The event id (`msg_...`): the same on every retry; deduplicate on it',
    schema: { type: 'string' },
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'Seconds since the epoch when this attempt was signed; refuse ones too old',
    schema: { type: 'string' },
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      'Space-separated `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` signatures; two during the 24 h after a secret rotation. Verify with any Standard Webhooks library.',
    schema: { type: 'string' },
  },
];

/**
 * Makes the document OpenAPI 3.1 and describes what Jewelshot sends to integrators' endpoints
 * (the `webhooks` section): one entry per event type, its body schema and the signature headers.
 */
export function addWebhooks(document: OpenAPIObject): void {
  const doc = document as OpenAPIObject & { webhooks?: Record<string, unknown> };
  doc.openapi = '3.1.0';
  toJsonSchemaNulls(doc.paths);
  toJsonSchemaNulls(doc.components);
  const components = (doc.components ??= {});
  components.schemas = { ...components.schemas, ...SCHEMAS };
  doc.webhooks = Object.fromEntries(
    [...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_TYPE].map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace('.', '_')}`,
          summary: SUMMARY[type],
          tags: ['webhooks'],
          // The receiver authenticates Jewelshot by the signature, not by a credential.
          security: [],
          parameters: HEADERS,
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: `#/components/schemas/${SCHEMA_OF[type]}` } },
            },
          },
          responses: {
            '200': {
              description:
                'Any 2xx within 10 s is a delivery; anything else (redirects included) is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h',
            },
          },
        },
      },
    ]),
  );
}
