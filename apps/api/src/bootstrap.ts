import 'reflect-metadata';
import { VersioningType, type INestApplication } from '@nestjs/common';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import {
  requestIdFor,
  REQUEST_ID_HEADER,
  registerRequestLogging,
  trustedProxies,
  type LoggingOptions,
} from '@jewelshot/platform';
import { type ApiConfig } from './api.config';
import { ApiModule } from './api.module';
import { frameworkErrors } from './http/framework-errors';
import { useLimitedFormParser } from './http/form-body-parser';
import { useSecurityHeaders } from './http/security-headers';
import { useLimitedJsonParser } from './http/json-body-parser';
import { registerHttpMetrics } from './http/http.metrics';
import { registerRateLimitHook } from './http/rate-limit.hook';
import { useRouteBodyLimits } from './http/route-body-limits';
import { useRequestDeadlines } from './http/request-deadline';
import {
  boundRequestBodies,
  clientErrorHandler,
  guardConnections,
  serverTimeouts,
} from './http/server-limits';
import { refuseUnsafeText } from './http/unsafe-text';
import { BoundedValidationPipe } from './http/validation-pipe';
import { buildOpenApiDocument } from './openapi/openapi';
import { enforceDocumentedRequests } from './http/documented-requests';
import { corsOrigins } from './auth/refresh-cookie';
import { serveWebApp } from './web/web-app';

export interface ApiAppOptions {
  /** Build the module graph without connecting to anything (OpenAPI generation). */
  preview?: boolean;
  /** Log lines go here instead of stdout (tests read the real logger's output). */
  logDestination?: LoggingOptions['destination'];
}

/** Creates the API exactly as production runs it; tests and the OpenAPI generator use it too. */
export async function createApiApp(
  config: ApiConfig,
  options: ApiAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    requestIdHeader: false,
    logger: false,
    // X-Forwarded-For is believed only from these proxies (rate-limit buckets key on request.ip).
    trustProxy: trustedProxies(config),
    ...serverTimeouts(config),
    clientErrorHandler,
    frameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, { destination: options.logDestination }),
    adapter,
    {
      bufferLogs: true,
      logger: options.preview ? false : undefined,
      preview: options.preview ?? false,
      abortOnError: false,
    },
  );
  if (!options.preview) app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.enableVersioning({ type: VersioningType.URI });
  app.useGlobalPipes(new BoundedValidationPipe());
  useLimitedJsonParser(app, config);
  useLimitedFormParser(app, config);
  useRouteBodyLimits(app, config);
  useRequestDeadlines(app, config);
  refuseUnsafeText(app);
  guardConnections(app.getHttpServer(), config);
  boundRequestBodies(app.getHttpServer(), config);

  // One image per upload request; the size limit answers 413 through the one error filter.
  await app.register(multipart, {
    limits: { fileSize: config.UPLOAD_MAX_BYTES, files: 1, fields: 5, parts: 6, headerPairs: 100 },
    throwFileSizeLimit: true,
  });

  // The refresh cookie of browsers (auth routes only; see auth/refresh-cookie.ts).
  await app.register(cookie);
  // CSP, no framing, no referrer, nosniff, HSTS in production; /v1 answers are not stored.
  useSecurityHeaders(app, config);
  // CORS only for an SPA hosted elsewhere, and only for the origins listed.
  const origins = corsOrigins(config);
  if (origins.length > 0) {
    await app.register(cors, {
      origin: origins,
      credentials: true,
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Idempotency-Key',
        'X-CSRF-Protection',
        'X-Device-Id',
        'X-Request-Id',
      ],
      exposedHeaders: [
        'X-Request-Id',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
        'RateLimit-Policy',
        'RateLimit',
        'Retry-After',
      ],
      maxAge: 600,
    });
  }
  if (!options.preview) await serveWebApp(app, config);

  const fastify = app.getHttpAdapter().getInstance();
  registerRequestLogging(fastify);
  registerHttpMetrics(fastify);
  // Before the rate limiter, which answers its 429s from its own hook: every answer names its
  // request. Callback style, not async: no promise per request (docs/perf/).
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  if (!options.preview) registerRateLimitHook(app);

  const document = buildOpenApiDocument(app as INestApplication);
  // Each operation takes the bodies (else 415) and query parameters (else 400) its document lists.
  enforceDocumentedRequests(app as INestApplication, document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
  return app;
}
