import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/** What an API key may be granted. A session (JWT) caller holds every one of them. */
export const API_KEY_SCOPES = [
  'jobs:read',
  'jobs:write',
  'files:write',
  'credits:read',
  'webhooks:manage',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const REQUIRED_SCOPES = 'jewelshot:scopes';

/** Marks an operation in the OpenAPI document with the key scopes it needs. */
export const OPENAPI_SCOPES_EXTENSION = 'x-required-scopes';

/**
 * The API-key scopes a route needs. A route without this decorator cannot be reached with an
 * API key at all (admin routes, key management, account settings); the auth guard enforces it.
 */
export const RequireScopes = (...scopes: ApiKeyScope[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    ApiExtension(OPENAPI_SCOPES_EXTENSION, scopes),
  );
