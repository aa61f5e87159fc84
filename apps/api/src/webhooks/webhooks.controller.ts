import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '@jewelshot/identity';
import {
  WebhookEndpoints,
  type DeliveryWithType,
  type ReceiveCheck,
  type WebhookEndpoint,
  type WebhookEventType,
} from '@jewelshot/webhooks';
import { ApiErrors } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { PageQueryDto } from '../common/pagination.dto';
import { RateLimit } from '../common/rate-limit.decorator';
import { requireScopes } from '../common/key-scopes';
import { RequireScopes, type ApiKeyScope } from '../common/scopes.decorator';
import {
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookEventRefDto,
  WebhookListDto,
  WebhookWithSecretDto,
} from './webhooks.dto';

function view(endpoint: WebhookEndpoint): WebhookDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events as WebhookDto['events'],
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabledAt: endpoint.disabledAt?.toISOString() ?? null,
    failingSince: endpoint.failingSince?.toISOString() ?? null,
    previousSecretExpiresAt:
      endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date()
        ? endpoint.previousSecretExpiresAt.toISOString()
        : null,
    createdAt: endpoint.createdAt.toISOString(),
  };
}

function deliveryView(delivery: DeliveryWithType): WebhookDeliveryDto {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    attempt: delivery.attempt,
    status: delivery.status,
    responseStatus: delivery.responseStatus,
    responseBody: delivery.responseBody,
    error: delivery.error,
    durationMs: delivery.durationMs,
    createdAt: delivery.createdAt.toISOString(),
  };
}

/** The scope that reads an event's data: job and batch events carry jobs, `credits.low` a balance. */
const EVENT_READ_SCOPE: Record<WebhookEventType, ApiKeyScope> = {
  'job.succeeded': 'jobs:read',
  'job.failed': 'jobs:read',
  'job.canceled': 'jobs:read',
  'batch.finished': 'jobs:read',
  'credits.low': 'credits:read',
};

/**
 * A key sends, or signs, its owner's events only where it could read them itself:
 * `webhooks:manage` alone would otherwise point job events (prompts, outputs and their links) at
 * any URL, or take the secret that signs them and forge some to the owner's receiver.
 */
function receiveCheck(principal: Principal): ReceiveCheck {
  return (types) =>
    requireScopes(
      principal,
      types.flatMap((type) =>
        type in EVENT_READ_SCOPE ? [EVENT_READ_SCOPE[type as WebhookEventType]] : [],
      ),
    );
}

/** The rule above as the operations' descriptions say it, after what the read scope is needed for. */
const READ_SCOPES_RULE =
  '(job and batch events: `jobs:read`; `credits.low`: `credits:read`), else 403 INSUFFICIENT_SCOPE.';

/**
 * Your webhook endpoints (Standard Webhooks): each caller sees only their own; another user's
 * id is a 404. Deliveries are signed (`webhook-id`, `webhook-timestamp`, `webhook-signature`);
 * docs/webhooks.md shows how to verify them.
 */
@ApiTags('webhooks')
@RequireScopes('webhooks:manage')
@Controller({ path: 'webhooks', version: '1' })
export class WebhooksController {
  constructor(private readonly endpoints: WebhookEndpoints) {}

  @Post()
  @ApiOperation({
    summary: 'Add a webhook endpoint',
    description:
      'The answer carries the signing secret (`whsec_...`), shown once. A user may have WEBHOOK_MAX_ENDPOINTS endpoints (409 beyond). ' +
      `An API key needs the read scope of each event the endpoint carries ${READ_SCOPES_RULE}`,
  })
  @ApiCreatedResponse({ type: WebhookWithSecretDto, description: 'The endpoint and its secret' })
  @ApiErrors('VALIDATION_ERROR', 'CONFLICT')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWebhookDto,
  ): Promise<WebhookWithSecretDto> {
    const { endpoint, secret } = await this.endpoints.create(
      principal.userId,
      body,
      receiveCheck(principal),
    );
    return { ...view(endpoint), secret };
  }

  @Get()
  @ApiOperation({ summary: 'Your webhook endpoints, oldest first (never their secrets)' })
  @ApiOkResponse({ type: WebhookListDto, description: 'Every endpoint' })
  @ApiErrors()
  async list(@CurrentPrincipal() principal: Principal): Promise<WebhookListDto> {
    return { data: (await this.endpoints.list(principal.userId)).map(view) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook endpoint' })
  @ApiOkResponse({ type: WebhookDto, description: 'The endpoint' })
  @ApiErrors('RESOURCE_NOT_FOUND')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WebhookDto> {
    return view(await this.endpoints.get(principal.userId, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change an endpoint: URL, events, description, enabled',
    description:
      'With a new URL or new events, an API key needs the read scope of each event the endpoint carries after the ' +
      `change ${READ_SCOPES_RULE}`,
  })
  @ApiOkResponse({ type: WebhookDto, description: 'The endpoint as it now is' })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return view(await this.endpoints.update(principal.userId, id, body, receiveCheck(principal)));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an endpoint (its queued deliveries are dropped)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors('RESOURCE_NOT_FOUND')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.endpoints.remove(principal.userId, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace the signing secret',
    description:
      'The new secret is shown once. For 24 hours the old one keeps signing alongside it: each delivery carries two `v1,` signatures. ' +
      'At most two secrets sign: rotating again within those 24 hours ends the oldest at once. ' +
      `An API key needs the read scope of each event the endpoint carries ${READ_SCOPES_RULE}`,
  })
  @ApiOkResponse({ type: WebhookWithSecretDto, description: 'The endpoint and its new secret' })
  @ApiErrors('RESOURCE_NOT_FOUND')
  async rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WebhookWithSecretDto> {
    const { endpoint, secret } = await this.endpoints.rotateSecret(
      principal.userId,
      id,
      receiveCheck(principal),
    );
    return { ...view(endpoint), secret };
  }

  @Post(':id/test')
  @HttpCode(202)
  // A delivery a caller asks for is work for the shared delivery workers: counted with submits.
  @RateLimit({ rateLimitPolicy: 'submit' })
  @ApiOperation({ summary: 'Send a `webhook.test` event to this endpoint' })
  @ApiAcceptedResponse({ type: WebhookEventRefDto, description: 'Queued; see its deliveries' })
  @ApiErrors('RESOURCE_NOT_FOUND', 'CONFLICT')
  test(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WebhookEventRefDto> {
    return this.endpoints.sendTest(principal.userId, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "An endpoint's delivery attempts, newest first" })
  @ApiOkResponse({ type: WebhookDeliveryPageDto, description: 'One page' })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: PageQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    const page = await this.endpoints.deliveries(principal.userId, id, query.limit, query.cursor);
    return { data: page.data.map(deliveryView), nextCursor: page.nextCursor };
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @RateLimit({ rateLimitPolicy: 'submit' })
  @ApiOperation({
    summary: "Send a delivery's event again (one attempt, same webhook-id)",
    description: `An API key needs the read scope of the delivery's event ${READ_SCOPES_RULE}`,
  })
  @ApiAcceptedResponse({ type: WebhookEventRefDto, description: 'Queued' })
  @ApiErrors('RESOURCE_NOT_FOUND', 'CONFLICT')
  retry(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<WebhookEventRefDto> {
    return this.endpoints.retryDelivery(principal.userId, id, deliveryId, receiveCheck(principal));
  }
}
