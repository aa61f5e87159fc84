import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC = 'jewelshot:public';

/** Marks an operation in the OpenAPI document as needing no token (see openapi.ts). */
export const OPENAPI_PUBLIC_EXTENSION = 'x-public';

/** The route needs no access token. Everything else does. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(OPENAPI_PUBLIC_EXTENSION, true));
