import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ERROR_STATUS, type ErrorCode } from '../http/error-status';
import { ErrorResponseDto, FieldErrorDto } from '../common/error-response.dto';
import { OPENAPI_PUBLIC_EXTENSION } from '../common/public.decorator';
import { APP_VERSION } from '../version';

const ERROR_REF = { $ref: '#/components/schemas/ErrorResponseDto' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Operation = {
  [OPENAPI_PUBLIC_EXTENSION]?: boolean;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, unknown>;
  parameters?: unknown[];
  requestBody?: unknown;
};

function errorResponse(codes: ErrorCode[]) {
  return { description: codes.join(' | '), content: { 'application/json': { schema: ERROR_REF } } };
}

/**
 * Every operation answers errors in the one shape. The errors that any route may give
 * (auth, rate limit, internal) are added here once, not on each controller; routes declare
 * their own specific ones with @ApiErrors.
 */
function addCommonErrors(document: OpenAPIObject): void {
  for (const [route, path] of Object.entries(document.paths)) {
    // Health probes are neither throttled nor authenticated.
    const probe = route.startsWith('/health');
    for (const method of METHODS) {
      const operation = path[method] as Operation | undefined;
      if (!operation) continue;
      const add = (status: number, codes: ErrorCode[]) => {
        operation.responses[String(status)] ??= errorResponse(codes);
      };
      // Auth is global: every operation needs the bearer token unless it is @Public().
      const secured = !operation[OPENAPI_PUBLIC_EXTENSION];
      delete operation[OPENAPI_PUBLIC_EXTENSION];
      operation.security = secured ? [{ bearer: [] }] : [];
      if (operation.requestBody || (operation.parameters ?? []).length > 0)
        add(400, ['VALIDATION_ERROR']);
      if (secured) {
        add(401, ['UNAUTHORIZED']);
        add(403, ['FORBIDDEN', 'ACCOUNT_BANNED']);
      }
      if (operation.requestBody) {
        add(ERROR_STATUS.PAYLOAD_TOO_LARGE, ['PAYLOAD_TOO_LARGE']);
        add(ERROR_STATUS.UNSUPPORTED_MEDIA_TYPE, ['UNSUPPORTED_MEDIA_TYPE']);
      }
      if (!probe) add(ERROR_STATUS.RATE_LIMIT_EXCEEDED, ['RATE_LIMIT_EXCEEDED']);
      add(500, ['INTERNAL_ERROR']);
      // Resolving the caller reads PostgreSQL: while it is away the answer is 503 (never 401).
      if (secured) add(ERROR_STATUS.SERVICE_UNAVAILABLE, ['SERVICE_UNAVAILABLE']);
    }
  }
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Jewelshot API')
    .setDescription(
      'AI product photography for jewelry sellers. Every route is under /v1 except the health probes. ' +
        'Errors always have the shape { statusCode, code, error, requestId, details? }. ' +
        'Every response carries X-Request-Id and X-RateLimit-Limit/Remaining/Reset; a 429 or 503 adds Retry-After.',
    )
    .setVersion(APP_VERSION)
    .setLicense('Proprietary', 'https://jewelshot.ai/terms')
    .addServer('/', 'This API')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponseDto, FieldErrorDto],
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  addCommonErrors(document);
  return document;
}
