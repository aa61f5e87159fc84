import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuditActor } from '@jewelshot/audit';
import { ApiKeysService, type Principal } from '@jewelshot/identity';
import { Actor } from '../admin/audit-actor.decorator';
import { AcceptedApiKeys } from '../auth/api-key-header';
import { ApiErrors } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-keys.dto';

/**
 * A signed-in user's API keys. No @RequireScopes: a key can never manage keys (a leaked key
 * must not be able to mint or keep itself alive).
 */
@ApiTags('api-keys')
@Controller({ path: 'api-keys', version: '1' })
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly acceptedKeys: AcceptedApiKeys,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The answer carries `key` (`js_live_<public id>_<secret>`, 256 bits of secret) this once; only its hash is ' +
      'stored. Use it as `Authorization: Bearer js_live_...`. The creation is an audit event and mails you a ' +
      'security notice. At most 50 live keys: a 51st is a 409 with `details.limit`.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto, description: 'The key, shown once' })
  @ApiErrors('VALIDATION_ERROR', 'FORBIDDEN', 'CONFLICT')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Actor() actor: AuditActor,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const created = await this.keys.create(principal.userId, body, actor);
    return { ...ApiKeyDto.of(created), key: created.key };
  }

  @Get()
  @ApiOperation({ summary: 'Your live API keys (never their secrets)' })
  @ApiOkResponse({ type: ApiKeyListDto, description: 'The keys, newest first' })
  @ApiErrors('FORBIDDEN')
  async list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyListDto> {
    return { data: (await this.keys.list(principal.userId)).map((key) => ApiKeyDto.of(key)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'At once on this API process, within 5 s on every other (an audit event).',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors('RESOURCE_NOT_FOUND', 'FORBIDDEN')
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Actor() actor: AuditActor,
    @Param('id') id: string,
  ): Promise<void> {
    // Nor counted as its owner by this process's limiter from now on (others: within a minute).
    this.acceptedKeys.forgetPublicId(await this.keys.revoke(principal.userId, id, actor));
  }
}
