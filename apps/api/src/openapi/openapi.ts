import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from '../http/error-status';
import { FORM_ROUTES } from '../http/form-body-parser';
import { ErrorResponseDto, FieldErrorDto } from '../common/error-response.dto';
import { OPENAPI_PUBLIC_EXTENSION } from '../common/public.decorator';
import { OPENAPI_SCOPES_EXTENSION } from '../common/scopes.decorator';
import { APP_VERSION } from '../version';
import { applyValidationConstraints } from './validation-schema';
import { addWebhooks } from './webhooks.openapi';

const ERROR_REF = { $ref: '#/components/schemas/ErrorResponseDto' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Operation = {
  [OPENAPI_PUBLIC_EXTENSION]?: boolean;
  [OPENAPI_SCOPES_EXTENSION]?: string[];
  security?: Array<Record<string, string[]>>;
  responses: Record<string, unknown>;
  parameters?: Array<{ name: string; in: string; schema?: unknown }>;
  requestBody?: unknown;
};

function errorResponse(codes: ErrorCode[]) {
  return { description: codes.join(' | '), content: { 'application/json': { schema: ERROR_REF } } };
}

const isErrorCode = (text: string): text is ErrorCode => Object.hasOwn(ERROR_STATUS, text);

/**
 * Adds `codes` to the operation's error response of `status`: a new response, or the codes
 * merged into one a route declared with @ApiErrors (its description is the list of its codes:
 * an explicit `@ApiErrors('FORBIDDEN')` must not hide the generic ACCOUNT_BANNED). A response
 * with a description of its own (not a list of codes) is left as written.
 */
function addError(operation: Operation, status: number, codes: ErrorCode[]): void {
  const key = String(status);
  const existing = operation.responses[key] as { description?: string } | undefined;
  if (!existing) {
    operation.responses[key] = errorResponse(codes);
    return;
  }
  const listed = (existing.description ?? '').split(' | ');
  if (!listed.every(isErrorCode)) return;
  const missing = codes.filter((code) => !listed.includes(code));
  if (missing.length === 0) return;
  existing.description = [...listed, ...missing]
    .sort((a, b) => ERROR_CODES.indexOf(a) - ERROR_CODES.indexOf(b))
    .join(' | ');
}

const BODY_METHODS: ReadonlySet<string> = new Set(['put', 'post', 'delete', 'patch']);

/**
 * Every operation answers errors in the one shape. The errors that any route may give
 * (auth, rate limit, internal) are added here once, not on each controller; routes declare
 * their own specific ones with @ApiErrors.
 */
function addCommonErrors(document: OpenAPIObject): void {
  for (const [route, path] of Object.entries(document.paths)) {
    // Health probes and the metrics scrape are neither throttled nor behind the JWT guard.
    const probe = route.startsWith('/health') || route === '/metrics';
    for (const method of METHODS) {
      const operation = path[method] as Operation | undefined;
      if (!operation) continue;
      const add = (status: number, codes: ErrorCode[]) => addError(operation, status, codes);
      // Auth is global: every operation needs the bearer token unless it is @Public(). An API
      // key may call the operations marked @RequireScopes, with those scopes (kept as
      // x-required-scopes too, for tools that read extensions).
      const secured = !operation[OPENAPI_PUBLIC_EXTENSION];
      delete operation[OPENAPI_PUBLIC_EXTENSION];
      const scopes = operation[OPENAPI_SCOPES_EXTENSION];
      operation.security = !secured
        ? []
        : scopes
          ? [{ bearer: [] }, { apiKey: scopes }]
          : [{ bearer: [] }];
      // Any request may be refused before its route runs: a query parameter the operation does
      // not list (http/documented-requests.ts), a NUL or lone surrogate in the query
      // (http/unsafe-text.ts), a request Node's HTTP parser refuses (http/server-limits.ts).
      add(400, ['VALIDATION_ERROR']);
      // A request line and headers over Node's 16 KB (a 20,000-character id in the path, a huge
      // cookie) are refused by the HTTP parser itself, before routing: 431 on every operation;
      // and a request whose headers or body do not arrive in time (HTTP_HEADERS_TIMEOUT_MS,
      // HTTP_REQUEST_TIMEOUT_MS) is 408 (http/server-limits.ts clientErrorHandler).
      add(431, ['VALIDATION_ERROR']);
      add(408, ['VALIDATION_ERROR']);
      if (secured) {
        add(401, ['UNAUTHORIZED']);
        add(
          403,
          scopes
            ? ['INSUFFICIENT_SCOPE', 'FORBIDDEN', 'ACCOUNT_BANNED']
            : ['FORBIDDEN', 'ACCOUNT_BANNED'],
        );
      }
      if (operation.requestBody) {
        add(ERROR_STATUS.PAYLOAD_TOO_LARGE, ['PAYLOAD_TOO_LARGE']);
        add(ERROR_STATUS.UNSUPPORTED_MEDIA_TYPE, ['UNSUPPORTED_MEDIA_TYPE']);
      } else if (BODY_METHODS.has(method)) {
        // An operation without a request body ignores a JSON one (`{}` from a client that
        // always sends one), which is still parsed within its limits; another type is 415
        // (http/documented-requests.ts).
        add(ERROR_STATUS.PAYLOAD_TOO_LARGE, ['PAYLOAD_TOO_LARGE']);
        add(ERROR_STATUS.UNSUPPORTED_MEDIA_TYPE, ['UNSUPPORTED_MEDIA_TYPE']);
      }
      if (!probe) add(ERROR_STATUS.RATE_LIMIT_EXCEEDED, ['RATE_LIMIT_EXCEEDED']);
      add(500, ['INTERNAL_ERROR']);
      // Resolving the caller reads PostgreSQL: while it is away the answer is 503 (never 401).
      // A public operation reads it too (prices, a token's row), and a read past
      // REQUEST_DEADLINE_MS on a database that hangs is 503 as well.
      if (!probe) add(ERROR_STATUS.SERVICE_UNAVAILABLE, ['SERVICE_UNAVAILABLE']);
    }
  }
}

/** The limiter's response headers (apps/api/src/http/rate-limit.hook.ts), declared once. */
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': {
    description: "The quota of the route's request-rate policy (requests per window)",
    schema: { type: 'integer', minimum: 0 },
  },
  'X-RateLimit-Remaining': {
    description: "Requests left in the route's request-rate policy's window",
    schema: { type: 'integer', minimum: 0 },
  },
  'X-RateLimit-Reset': {
    description: 'Seconds until that window resets',
    schema: { type: 'integer', minimum: 0 },
  },
  'RateLimit-Policy': {
    description:
      'draft-ietf-httpapi-ratelimit-headers: an RFC 9651 List of the policies applied to this request, ' +
      '`"name";q=quota;w=window seconds`, with `qu="content-bytes"` or `qu="concurrent-requests"` when not ' +
      'requests (e.g. `"submit";q=30;w=60, "expensive";q=4;qu="concurrent-requests"`)',
    schema: { type: 'string' },
  },
  RateLimit: {
    description:
      'draft-ietf-httpapi-ratelimit-headers: the policy closest to its limit, `"name";r=remaining;t=seconds to reset` ' +
      '(no `t` for a concurrency policy with a free slot), e.g. `"default";r=299;t=60`',
    schema: { type: 'string' },
  },
} as const;

const RETRY_AFTER_HEADER = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer', minimum: 1 },
};

/**
 * Every response of every operation but the health probes and /metrics (never limited) carries
 * the limiter's headers (when
 * the limiter could count it: not while Redis is away); a 429 or 503 adds Retry-After.
 */
function addRateLimitHeaders(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.headers = {
    ...components.headers,
    ...RATE_LIMIT_HEADERS,
    'Retry-After': RETRY_AFTER_HEADER,
  };
  const refs = Object.fromEntries(
    Object.keys(RATE_LIMIT_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]),
  );
  for (const [route, path] of Object.entries(document.paths)) {
    if (route.startsWith('/health') || route === '/metrics') continue;
    for (const method of METHODS) {
      const operation = path[method] as Operation | undefined;
      if (!operation) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        // Node's HTTP parser answers 431 and 408 itself, before any hook: no limiter ran.
        if (status === '431' || status === '408') continue;
        const target = response as { headers?: Record<string, unknown> };
        target.headers = { ...target.headers, ...refs };
        if (status === '429' || status === '503')
          target.headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
      }
    }
  }
}

/** Every 401 names the scheme to authenticate with (RFC 9110 §11.6.1, RFC 6750 §3). */
const WWW_AUTHENTICATE_HEADER = {
  description: 'The scheme a request must authenticate with: `Bearer realm="jewelshot"`',
  schema: { type: 'string' },
};

function addAuthenticateHeader(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.headers = { ...components.headers, 'WWW-Authenticate': WWW_AUTHENTICATE_HEADER };
  for (const path of Object.values(document.paths))
    for (const method of METHODS) {
      const response = (path[method] as Operation | undefined)?.responses['401'] as
        { headers?: Record<string, unknown> } | undefined;
      if (response)
        response.headers = {
          ...response.headers,
          'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' },
        };
    }
}

/**
 * The Idempotency-Key header as the server checks it (libs/ai-jobs idempotency.service.ts:
 * `^[\x21-\x7e]{1,255}$`, printable ASCII without the space), and the header a replay carries.
 */
const IDEMPOTENCY_KEY_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x21-\\x7e]{1,255}$',
} as const;

const IDEMPOTENT_REPLAYED_HEADER = {
  description:
    'Present (always `true`) when this answer is a replay: an earlier request with the same Idempotency-Key and ' +
    'the same body already did the work, and nothing was done again',
  schema: { type: 'string', enum: ['true'] },
};

/**
 * Every operation that takes an Idempotency-Key: the header's schema is the server's rule, its
 * success responses declare `Idempotent-Replayed` (uploads, jobs, batches set it on replays),
 * and its 409 (IN_FLIGHT: the first request with the key is still running) says when to retry.
 */
function addIdempotency(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.headers = { ...components.headers, 'Idempotent-Replayed': IDEMPOTENT_REPLAYED_HEADER };
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method] as Operation | undefined;
      const header = operation?.parameters?.find(
        (parameter) =>
          parameter.in === 'header' && parameter.name.toLowerCase() === 'idempotency-key',
      );
      if (!operation || !header) continue;
      header.schema = { ...IDEMPOTENCY_KEY_SCHEMA };
      for (const [status, response] of Object.entries(operation.responses)) {
        const target = response as { headers?: Record<string, unknown> };
        if (status === '409')
          target.headers = {
            ...target.headers,
            'Retry-After': { $ref: '#/components/headers/Retry-After' },
          };
        if (!status.startsWith('2')) continue;
        target.headers = {
          ...target.headers,
          'Idempotent-Replayed': { $ref: '#/components/headers/Idempotent-Replayed' },
        };
      }
    }
  }
}

/**
 * The routes that take a form (RFC 8058 one-click unsubscribe: mail clients POST
 * `List-Unsubscribe=One-Click` as `application/x-www-form-urlencoded` or `multipart/form-data`).
 * The handler does not read it; it is documented so that it is what the server accepts.
 */
function addFormBodies(document: OpenAPIObject): void {
  const schema = {
    type: 'object',
    properties: { 'List-Unsubscribe': { type: 'string', example: 'One-Click' } },
  };
  for (const [route, path] of Object.entries(document.paths)) {
    if (!FORM_ROUTES.has(route) || !path.post || path.post.requestBody) continue;
    path.post.requestBody = {
      required: false,
      description: 'Optional, and not read: what mail clients send (RFC 8058)',
      content: {
        'application/x-www-form-urlencoded': { schema },
        'multipart/form-data': { schema },
      },
    };
  }
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Jewelshot API')
    .setDescription(
      'AI product photography for jewelry sellers. Every route is under /v1 except the health probes and /metrics. ' +
        'Errors always have the shape { statusCode, code, error, requestId, details? }. ' +
        'Every response carries X-Request-Id; every one but the health probes and /metrics carries X-RateLimit-Limit/Remaining/Reset ' +
        'and the IETF RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers); a 429 or 503 adds ' +
        'Retry-After. An operation with a request body takes it only in the media types it lists (JSON for all but ' +
        'the upload and the unsubscribe form): any other Content-Type is 415 UNSUPPORTED_MEDIA_TYPE. An operation ' +
        'without a request body ignores a JSON one (such as `{}`) and refuses any other type with 415 too.',
    )
    .setVersion(APP_VERSION)
    .setLicense('Proprietary', 'https://jewelshot.ai/terms')
    .addServer('/', 'This API')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token from POST /v1/auth/login (a session): every operation.',
      },
      'bearer',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'js_live_<public id>_<secret>',
        description:
          'An API key from POST /v1/api-keys, as `Authorization: Bearer js_live_...` (never a cookie). It may call ' +
          'only the operations that list it under `security`, and only with the scopes listed there; any other ' +
          'operation is 403 (FORBIDDEN, or INSUFFICIENT_SCOPE with `details.scope` naming the missing scope).',
      },
      'apiKey',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponseDto, FieldErrorDto],
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  applyValidationConstraints(app, document);
  addFormBodies(document);
  addIdempotency(document);
  addCommonErrors(document);
  addRateLimitHeaders(document);
  addAuthenticateHeader(document);
  addWebhooks(document);
  return document;
}
