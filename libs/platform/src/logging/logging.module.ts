import { DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { pino, type DestinationStream } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { PLATFORM_CONFIG, type PlatformConfig } from '../config/platform.config';
import { REQUEST_ID_HEADER } from '../http/request-id';
import { serializeLoggedError } from './loggable-error';
import { currentRequestId } from './request-context';
import { traceFields } from '../tracing/spans';

/** Paths pino replaces with "[redacted]": credentials never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.JWT_SECRET',
  '*.DATABASE_URL',
  '*.METRICS_TOKEN',
  '*.REDIS_URL',
  '*.FAL_KEY',
  '*.S3_SECRET_ACCESS_KEY',
  'req.headers["x-fal-key"]',
];

export interface LoggingOptions {
  /** Where the lines go instead of stdout (tests read the real logger's output from it). */
  destination?: DestinationStream;
}

/**
 * Writes out, as the app shuts down, the log lines pino still holds. Its JSON destination writes
 * asynchronously; a process that ends by re-raising its signal (Nest's shutdown hooks do) has
 * no `exit` event for pino to flush on, so the last lines (a worker's "drained") were lost when
 * the reader of stdout was slow. `flushSync` writes them, waiting while the pipe is full.
 */
@Injectable()
export class FlushLogsOnShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): void {
    const stream = (PinoLogger.root as unknown as Record<symbol, unknown> | undefined)?.[
      pino.symbols.streamSym
    ] as { flushSync?: () => void } | undefined;
    try {
      stream?.flushSync?.();
    } catch {
      // Not ready, destroyed, or a pipe gone: nothing more can be written.
    }
  }
}

/** nestjs-pino: JSON in production, pretty in development, the request id on every line. */
@Module({})
export class LoggingModule {
  static forRoot(service: string, logging: LoggingOptions = {}): DynamicModule {
    return {
      module: LoggingModule,
      providers: [FlushLogsOnShutdown],
      imports: [
        LoggerModule.forRootAsync({
          inject: [PLATFORM_CONFIG],
          useFactory: (config: PlatformConfig) => {
            const options = {
              level: config.LOG_LEVEL,
              base: { service },
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
              genReqId: (req: IncomingMessage) => String(req.headers[REQUEST_ID_HEADER] ?? ''),
              customProps: (req: IncomingMessage) => ({
                requestId: req.headers[REQUEST_ID_HEADER],
              }),
              // The request id of the request a line is written in (see request-context.ts).
              // With tracing on, the active span's trace_id and span_id too (tracing/spans.ts).
              mixin: () => {
                const requestId = currentRequestId();
                const ids = traceFields();
                return requestId === undefined ? ids : { requestId, ...ids };
              },
              // Access lines come from registerRequestLogging (Fastify hooks), not pino-http.
              autoLogging: false,
              serializers: {
                // Errors as loggableError writes them, however a line passes one (never the
                // parameters of a failed query: loggable-error.ts).
                err: serializeLoggedError,
                error: serializeLoggedError,
                req: (req: { id: unknown; method: string; url: string }) => ({
                  id: req.id,
                  method: req.method,
                  url: req.url,
                }),
              },
            };
            // Pretty output in development, written synchronously (no transport thread) so the
            // last lines before a shutdown are never lost; JSON to stdout everywhere else.
            // No routes for nestjs-pino's pino-http middleware: request ids and the access
            // line come from Fastify hooks (request-context.ts), and with a middleware on
            // any route @fastify/middie matches every request's path against it for nothing.
            const forRoutes: [] = [];
            if (logging.destination) return { pinoHttp: [options, logging.destination], forRoutes };
            return config.NODE_ENV === 'development'
              ? {
                  forRoutes,
                  pinoHttp: [
                    options,
                    PinoPretty({ singleLine: true, translateTime: 'SYS:HH:MM:ss.l', sync: true }),
                  ],
                }
              : { pinoHttp: options, forRoutes };
          },
        }),
      ],
    };
  }
}
